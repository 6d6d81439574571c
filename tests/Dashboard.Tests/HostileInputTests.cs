using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Engine.Config;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// Issue 8's fuzz suite: hostile bodies, queries and hub calls, generated systematically. Every one must get a 400
/// (404 for an id of the right shape that does not exist) naming the field at fault, in under 16 KB, never a 500, and
/// the server must still be healthy afterwards. No hostile request may queue a run.
/// </summary>
public sealed class HostileInputTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    const int MaxResponseBytes = 16 * 1024;
    static readonly string Giant = new('9', 100_000);
    static readonly string[] NullableFields = ["preset", "iterationsPerTask", "ewcLambda", "siC"];

    /// <summary>Every RunConfig field × {null, wrong type, huge number, NaN as text, negative, giant text, nested object, array}.</summary>
    public static IEnumerable<(string Field, string Kind, JsonNode? Value)> FieldCases()
    {
        var defaults = JsonSerializer.SerializeToNode(new RunConfig(), ContinualLearning.Engine.EngineJson.Options)!.AsObject();
        foreach (var field in ConfigRelevance.Fields)
        {
            bool text = defaults[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String || field == "preset";
            if (!NullableFields.Contains(field)) yield return (field, "null", null);
            yield return (field, "wrong type", text ? JsonValue.Create(5) : JsonValue.Create("x"));
            yield return (field, "huge number", JsonNode.Parse("1e308"));
            yield return (field, "NaN as text", JsonValue.Create("NaN"));
            yield return (field, "negative", JsonValue.Create(-1_000_000_000));
            yield return (field, "giant text", JsonValue.Create(Giant));
            yield return (field, "nested object", JsonNode.Parse("""{"a":{"b":[1,{"c":null}]}}"""));
            yield return (field, "array", field == "hiddenSizes" ? JsonNode.Parse("[0,0,0,0,0,0]") : JsonNode.Parse("[1,2]"));
        }
    }

    /// <summary>Hand-written hostile bodies: (raw body, the field the 400 must name, or null when no single field is at fault).</summary>
    public static IEnumerable<(string Body, string? Field)> RawCases() =>
    [
        ("""{"batchSize":64,"batchSize":-5}""", "batchSize"),
        ("""{"batchSize":64,"BatchSize":64}""", "BatchSize"),
        ("""{"hiddenSizes":[{"a":1,"a":2}]}""", "a"), // the serializer reports a nested duplicate by its own key
        ("""{"preset":"seed","preset":"seed"}""", "preset"),
        ("""{"dataset":null}""", "dataset"),
        ("""{"strategy":null,"tasks":null}""", "strategy"),
        ("""{"hiddenSizes":[null]}""", "hiddenSizes"),
        ("""{"hiddenSizes":[400,"x"]}""", "hiddenSizes"),
        ("""{"tasks":"0-2147483647"}""", "tasks"),
        ("""{"tasks":"1-2147483647"}""", "tasks"),
        ("""{"tasks":"0-10000000"}""", "tasks"),
        ("""{"tasks":"99999999999999999999|1"}""", "tasks"),
        ("{\"tasks\":\"" + string.Join("|", Enumerable.Repeat("0-9", 20_000)) + "\"}", "tasks"),
        ("{\"tasks\":\"" + string.Join(",", Enumerable.Range(0, 20_000)) + "\"}", "tasks"),
        ("""{"pace":0.0001}""", "pace"),
        ("""{"pace":1e-300}""", "pace"),
        ("""{"pace":"Infinity"}""", "pace"),
        ("""{"strategy":"pnn","scenario":"task-incremental","model":"mlp","tasks":"0|1|2|3|4|5|6|7|8|9","hiddenSizes":[4096,4096,4096,4096]}""", "hiddenSizes"),
        ("""{"strategy":"ewc","scenario":"domain-incremental","tasks":"0-9","permutations":50,"model":"mlp","hiddenSizes":[4096,4096,4096,4096],"iterationsPerTask":1}""", "ewcMode"),
        ("""{"preset":"permuted-mnist","model":"linear","permutations":50,"iterationsPerTask":100000}""", "iterationsPerTask"),
        ("""{"preset":"nope"}""", "preset"),
        ("""{"preset":{"x":1}}""", "preset"),
        ("{\"preset\":\"" + Giant + "\"}", "preset"),
        ("{\"" + Giant + "\":1,\"batchSize\":0}", "batchSize"),
        ("""{"batchSize":""", "body"),
        ("""{""", "body"),
        ("""[""", "body"),
        ("\"", "body"),
        ("""{"batchSize":1}}""", "body"),
        (new string('[', 5000) + new string(']', 5000), "body"),
        ("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201), "body"),
        ("5", "body"),
        ("\"a config\"", "body"),
        ("[]", "body"),
        ("true", "body"),
        ("nul", "body"),
    ];

    /// <summary>Hostile sweep bodies: (raw body, the field at fault).</summary>
    public static IEnumerable<(string Body, string Field)> SweepCases() =>
    [
        ("""{"param":5,"values":[0.1]}""", "param"),
        ("""{"param":"","values":[0.1]}""", "param"),
        ("""{"values":"x"}""", "values"),
        ("""{"values":[1e400]}""", "values"),
        ("""{"values":[0.1,null]}""", "values"),
        ("""{"values":[0.1],"seeds":1e9}""", "seeds"),
        ("""{"values":[0.1],"seeds":-1}""", "seeds"),
        ("""{"values":[0.1],"seeds":"x"}""", "seeds"),
        ("""{"param":"x","values":[1]}""", "param"),
        ("{\"param\":\"" + Giant + "\",\"values\":[1]}", "param"),
        ("{\"name\":\"" + new string('n', 1_000_000) + "\",\"values\":[0.1]}", "name"),
        ("""{"name":"two\nlines","values":[0.1]}""", "name"),
        ("""{"name":"   ","values":[0.1]}""", "name"),
        ("""{"name":5,"values":[0.1]}""", "name"),
        ("""{"config":5,"values":[0.1]}""", "config"),
        ("""{"config":{"tasks":"0-2147483647"},"values":[0.1]}""", "tasks"),
        ("""{"config":{"dataset":null},"values":[0.1]}""", "dataset"),
        ("""{"config":{"batchSize":1,"batchSize":2},"values":[0.1]}""", "batchSize"),
        ("""{"config":{},"config":{},"values":[0.1]}""", "config"),
        ("""{"values":[0.1],"values":[0.2]}""", "values"),
        ("""{"param":"learningRate","values":[0.001,0.002,0.003,0.004,0.005,0.006,0.007,0.008,0.009,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,2,3,4,5,6],"seeds":1}""", "values"),
        ("""{"param":"learningRate","values":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,2],"seeds":20}""", "values"),
        ("""{"config":{"preset":"split-mnist-5-paper"},"param":"learningRate","values":[0.001,0.002,0.003],"seeds":10}""", "values"),
        ("""{"param":"learningRate","values":[0.1,1e308,-1]}""", "values"),
        ("""{"param":"pace","values":[0.0001]}""", "values"),
        ("[1,2]", "body"),
    ];

    [Fact]
    public async Task Every_field_with_every_hostile_value_is_a_400_naming_the_field()
    {
        using var http = server.Http();
        int sent = 0;
        foreach (var (field, kind, value) in FieldCases())
        {
            var body = new JsonObject { [field] = value?.DeepClone() }.ToJsonString();
            await AssertRefused(http, HttpMethod.Post, "/api/runs", body, field, $"{field} = {kind}");
            sent++;
        }
        Assert.True(sent >= 200, $"only {sent} generated cases");
        await AssertStillHealthy(http);
    }

    [Fact]
    public async Task Raw_hostile_bodies_are_400s_naming_the_field()
    {
        using var http = server.Http();
        foreach (var (body, field) in RawCases())
            await AssertRefused(http, HttpMethod.Post, "/api/runs", body, field, Short(body));
        await AssertStillHealthy(http);
    }

    [Fact]
    public async Task Hostile_sweeps_are_400s_naming_the_field()
    {
        using var http = server.Http();
        foreach (var (body, field) in SweepCases())
            await AssertRefused(http, HttpMethod.Post, "/api/sweeps", body, field, Short(body));
        await AssertStillHealthy(http);
    }

    [Fact]
    public async Task Ids_in_routes_and_queries_are_checked_before_any_lookup()
    {
        using var http = server.Http();
        var giantId = new string('a', 5000);
        string[] badIds = [giantId, "..%2F..%2Fetc", "a%20b", "x'--", "%E2%80%AE"];
        foreach (var id in badIds)
        {
            await AssertRefused(http, HttpMethod.Get, $"/api/runs/{id}", null, "id", "GET run " + Short(id));
            await AssertRefused(http, HttpMethod.Get, $"/api/runs/{id}/events", null, "id", "events " + Short(id));
            await AssertRefused(http, HttpMethod.Post, $"/api/runs/{id}/cancel", "{}", "id", "cancel " + Short(id));
            await AssertRefused(http, HttpMethod.Put, $"/api/runs/{id}/name", """{"name":"x"}""", "id", "rename " + Short(id));
            await AssertRefused(http, HttpMethod.Delete, $"/api/runs/{id}", null, "id", "delete " + Short(id));
            await AssertRefused(http, HttpMethod.Get, $"/api/sweeps/{id}", null, "id", "sweep " + Short(id));
            await AssertRefused(http, HttpMethod.Delete, $"/api/sweeps/{id}", null, "id", "delete sweep " + Short(id));
        }
        await AssertRefused(http, HttpMethod.Post, "/api/runs/delete", JsonSerializer.Serialize(new { ids = new[] { giantId } }), "ids", "delete giant id");
        await AssertRefused(http, HttpMethod.Post, "/api/runs/delete", JsonSerializer.Serialize(new { ids = Enumerable.Repeat("abc", 5000) }), "ids", "delete 5000 ids");
        await AssertRefused(http, HttpMethod.Post, "/api/runs/delete", """{"ids":null}""", "ids", "delete null ids");

        // A NUL in the path is refused by Kestrel itself, before any endpoint: a bare 400.
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/runs/%00")).StatusCode);
        // Unknown ids of the right shape are a short 404.
        foreach (var path in new[] { "/api/runs/nosuchrun123", "/api/runs/nosuchrun123/events", "/api/sweeps/snosuchsweep" })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        await AssertStillHealthy(http);
    }

    [Fact]
    public async Task Compare_queries_are_deduplicated_and_capped()
    {
        using var http = server.Http();
        // 600 copies of one id are one id: an unknown one is a 404, answered at once.
        var repeated = string.Join(",", Enumerable.Repeat("abcdef123456", 600));
        foreach (var path in new[] { "/api/compare", "/api/compare/csv" })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var response = await http.GetAsync($"{path}?runs={repeated}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"600 repeated ids took {clock.Elapsed}");
            await AssertRefused(http, HttpMethod.Get, $"{path}?runs={string.Join(",", Enumerable.Range(0, 25).Select(i => $"run{i}"))}", null, "runs", "25 ids");
            await AssertRefused(http, HttpMethod.Get, $"{path}?runs={new string('a', 6000)}", null, "runs", "giant id");
            await AssertRefused(http, HttpMethod.Get, $"{path}?runs=", null, "runs", "empty");
            await AssertRefused(http, HttpMethod.Get, $"{path}?runs=,,,", null, "runs", "commas");
            await AssertRefused(http, HttpMethod.Get, $"{path}?runs=a%27b", null, "runs", "quote");
        }
        await AssertStillHealthy(http);
    }

    [Fact]
    public async Task Hostile_hub_calls_fail_with_a_hub_exception_naming_the_argument()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        // Under SignalR's 32 KB message limit (a larger message closes that connection, by SignalR's own rule).
        var giant = new string('a', 20_000);
        var calls = new List<(string Name, Func<Task> Call, string Field)>
        {
            ("Start(null)", () => hub.InvokeAsync<string>("Start", null), "config"),
            ("Start(5)", () => hub.InvokeAsync<string>("Start", 5), "config"),
            ("Start(text)", () => hub.InvokeAsync<string>("Start", "seed"), "config"),
            ("Start([])", () => hub.InvokeAsync<string>("Start", Array.Empty<int>()), "config"),
            ("Start({strategy:null})", () => hub.InvokeAsync<string>("Start", Json("""{"strategy":null}""")), "strategy"),
            ("Start({dataset:null})", () => hub.InvokeAsync<string>("Start", Json("""{"dataset":null}""")), "dataset"),
            ("Start(duplicate)", () => hub.InvokeAsync<string>("Start", Json("""{"batchSize":64,"batchSize":-5}""")), "batchSize"),
            ("Start(huge range)", () => hub.InvokeAsync<string>("Start", Json("""{"tasks":"0-10000000"}""")), "tasks"),
            ("Start(batchSize text)", () => hub.InvokeAsync<string>("Start", Json("""{"batchSize":"x"}""")), "batchSize"),
            ("Start(batchSize huge)", () => hub.InvokeAsync<string>("Start", Json("""{"batchSize":1e308}""")), "batchSize"),
            ("Start(pace tiny)", () => hub.InvokeAsync<string>("Start", Json("""{"pace":1e-300}""")), "pace"),
            ("Start(pnn attack)", () => hub.InvokeAsync<string>("Start", Json("""{"strategy":"pnn","scenario":"task-incremental","model":"mlp","tasks":"0|1|2|3|4|5|6|7|8|9","hiddenSizes":[4096,4096,4096,4096]}""")), "hiddenSizes"),
            ("Start(bad preset)", () => hub.InvokeAsync<string>("Start", Json("{\"preset\":\"" + giant + "\"}")), "preset"),
            ("Cancel(null)", () => hub.InvokeAsync("Cancel", null), "runId"),
            ("Cancel(5)", () => hub.InvokeAsync("Cancel", 5), "runId"),
            ("Cancel(giant)", () => hub.InvokeAsync("Cancel", giant), "runId"),
            ("Cancel({})", () => hub.InvokeAsync("Cancel", Json("{}")), "runId"),
            ("Pause(null)", () => hub.InvokeAsync("Pause", null), "WatchFrom"),
            ("Resume([])", () => hub.InvokeAsync("Resume", Array.Empty<int>()), "WatchFrom"),
            ("SetPace(id, 2)", () => hub.InvokeAsync("SetPace", "abcdef123456", 2), "WatchFrom"),
            ("WatchFrom(null, 8, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", null, 8, 1)), "runId"),
            ("WatchFrom(id, text, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", "fast", 1)), "pace"),
            ("WatchFrom(id, tiny, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", 1e-300, 1)), "pace"),
            ("WatchFrom(id, -1, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", -1, 1)), "pace"),
            ("WatchFrom(id, 8, 0)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", 8, 0)), "fromSeq"),
            ("WatchFrom(id, 8, 1.5)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", 8, 1.5)), "fromSeq"),
            ("WatchFrom(id, 8, text)", () => Drain(hub.StreamAsync<JsonElement>("WatchFrom", "abcdef123456", 8, "x")), "fromSeq"),
            ("WatchBatches(null, 0, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchBatches", null, 0, 1)), "runId"),
            ("WatchBatches(id, -1, 1)", () => Drain(hub.StreamAsync<JsonElement>("WatchBatches", "abcdef123456", -1, 1)), "pace"),
            ("WatchBatches(id, 0, 0)", () => Drain(hub.StreamAsync<JsonElement>("WatchBatches", "abcdef123456", 0, 0)), "fromSeq"),
            ("Watch(null)", () => Drain(hub.StreamAsync<JsonElement>("Watch", null)), "runId"),
            ("Watch(5)", () => Drain(hub.StreamAsync<JsonElement>("Watch", 5)), "runId"),
            ("Watch(giant)", () => Drain(hub.StreamAsync<JsonElement>("Watch", giant)), "runId"),
            ("Watch(../x)", () => Drain(hub.StreamAsync<JsonElement>("Watch", "../x")), "runId"),
        };
        foreach (var (name, call, field) in calls)
        {
            var error = await Assert.ThrowsAsync<HubException>(call);
            // SignalR prefixes every failure with "An unexpected error occurred"; ours carry "HubException:", a crash does not.
            Assert.True(error.Message.Contains("HubException:", StringComparison.Ordinal), $"{name}: not a HubException: {error.Message}");
            Assert.True(error.Message.Length < MaxResponseBytes, $"{name}: {error.Message.Length} characters");
            Assert.True(error.Message.Contains(field, StringComparison.Ordinal), $"{name}: '{error.Message}' does not name {field}");
        }
        // Unknown ids of the right shape: "no run", still a HubException.
        var unknown = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Cancel", "abcdef123456"));
        Assert.Contains("no run", unknown.Message);
        // The connection survived all of it.
        Assert.Equal(HubConnectionState.Connected, hub.State);
        using var http = server.Http();
        await AssertStillHealthy(http);
    }

    static JsonElement Json(string raw) => JsonDocument.Parse(raw).RootElement.Clone();

    static async Task Drain(IAsyncEnumerable<JsonElement> stream)
    {
        await foreach (var _ in stream) { }
    }

    async Task AssertRefused(HttpClient http, HttpMethod method, string path, string? body, string? field, string label)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{label}: {(int)response.StatusCode} {Short(text)}");
        Assert.True(Encoding.UTF8.GetByteCount(text) < MaxResponseBytes, $"{label}: {text.Length} characters");
        if (field is null) return;
        Assert.True(text.Length > 0, $"{label}: an empty 400");
        var problem = JsonDocument.Parse(text).RootElement;
        if (field == "body" && !problem.TryGetProperty("errors", out _)) return; // unreadable JSON: the framework's own 400
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"{label}: the 400 does not name '{field}': {Short(text)}");
    }

    ContinualLearning.Runs.IRunRegistry Registry =>
        (ContinualLearning.Runs.IRunRegistry)server.Services.GetService(typeof(ContinualLearning.Runs.IRunRegistry))!;

    /// <summary>Runs the tests of this class queued on purpose (one ordinary run per health check).</summary>
    static int ordinaryRuns;

    async Task AssertStillHealthy(HttpClient http)
    {
        var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // No hostile request queued anything, and an ordinary one is still accepted.
        var registry = Registry;
        Assert.Equal(ordinaryRuns, registry.All().Count());
        ordinaryRuns++;
        var ok = await http.PostAsync("/api/runs", new StringContent("""{"pace":0,"iterationsPerTask":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/runs", new StringContent("""{"batchSize":0}""", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        var id = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await server.Run(id).Completion.WaitAsync(TimeSpan.FromMinutes(2));
        foreach (var run in registry.All()) await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));
    }

    static string Short(string text) => text.Length <= 120 ? text : text[..120] + $"… ({text.Length} chars)";
}
