using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.History.Tests;

public class HistoryApiTests
{
    static readonly object Naive = new { seed = 1 };
    static readonly object Replay = new { strategy = "replay", replayRatio = 0.5, seed = 1 };

    [Fact]
    public async Task RunsSurviveARestartAndAreServedByRestAndTheHub()
    {
        var folder = DashboardServer.NewFolder();
        try
        {
            string id;
            List<long> liveSeqs;
            await using (var first = DashboardServer.Start(folder))
            {
                var http = first.CreateClient();
                id = await Api.StartRun(http, Replay);
                await Api.WaitForStatus(http, id, "finished");
                await Api.WaitStored(http, id);
                liveSeqs = (await Api.Get(http, $"/api/runs/{id}/events")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
            }

            await using var second = DashboardServer.Start(folder);
            var client = second.CreateClient();
            var run = await Api.Get(client, $"/api/runs/{id}");
            Assert.Equal("finished", run.GetProperty("status").GetString());
            Assert.Equal(0.5, run.GetProperty("config").GetProperty("replayRatio").GetDouble());
            Assert.Equal(2, run.GetProperty("result").GetProperty("accuracyMatrix").GetArrayLength());

            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(second.BaseAddress, "/hubs/training"))
                .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions))
                .Build();
            await hub.StartAsync();
            var watched = new List<RunEvent>();
            await foreach (var e in hub.StreamAsync<RunEvent>("Watch", id)) watched.Add(e);
            await hub.DisposeAsync();

            Assert.Equal(liveSeqs, watched.Select(e => e.Seq));
            Assert.Equal(RunEventKind.Finished, watched[^1].Kind);
            Assert.Equal(RunEventKind.Started, watched[0].Kind);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task HistoryListsRunsAndRenameAndDeleteWork()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var a = await Api.StartRun(http, Naive);
        var b = await Api.StartRun(http, Replay);
        var c = await Api.StartRun(http, new { seed = 2 });
        foreach (var id in new[] { a, b, c }) await Api.WaitStored(http, id);

        var list = await Api.Get(http, "/api/history");
        var row = list.EnumerateArray().Single(r => r.GetProperty("id").GetString() == b);
        Assert.Equal("replay", row.GetProperty("strategy").GetString());
        Assert.Equal("replayRatio 0.5", row.GetProperty("keyParameter").GetString());
        Assert.True(row.GetProperty("averageAccuracy").GetDouble() > 0);

        var renamed = await http.PutAsJsonAsync($"/api/runs/{a}/name", new { name = "baseline" });
        renamed.EnsureSuccessStatusCode();
        Assert.Equal("baseline", (await Api.Get(http, "/api/history")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == a).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutAsJsonAsync("/api/runs/nope/name", new { name = "x" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/runs/{c}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/runs/{c}")).StatusCode);
        var bulk = await http.PostAsJsonAsync("/api/runs/delete", new { ids = new[] { a, "nope" } });
        Assert.Equal(1, (await bulk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetInt32());
        Assert.Equal([b], (await Api.Get(http, "/api/history")).EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task BadNamesAndDeleteRequestsAreRefusedNamingTheFieldAndLoseNothing()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var store = server.Services.GetRequiredService<ContinualLearning.Dashboard.History.RunHistory>().Store;
        store.AddRun("stored", new ContinualLearning.Engine.Config.RunConfig(), DateTimeOffset.UtcNow, name: "kept");

        foreach (var bad in new[] { "", "  ", new string('x', 201) })
        {
            var response = await http.PutAsJsonAsync("/api/runs/stored/name", new { name = bad });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.StartsWith("must ", errors.GetProperty("name")[0].GetString());
        }
        Assert.Equal("kept", store.GetSummary("stored")!.Name);

        var cleared = await http.PutAsJsonAsync("/api/runs/stored/name", new { name = (string?)null });
        cleared.EnsureSuccessStatusCode();
        Assert.Null(store.GetSummary("stored")!.Name);

        var noIds = await http.PostAsJsonAsync("/api/runs/delete", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noIds.StatusCode);
        Assert.True((await noIds.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("ids", out _));
        Assert.NotNull(store.GetSummary("stored"));
    }

    [Fact]
    public async Task DesignerLinkToAStoredRunThatIsNotLiveRedirectsToItsCurves()
    {
        await using var server = new DashboardServer();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        // As after a restart: in the database, not in this server's live registry.
        server.Services.GetRequiredService<ContinualLearning.Dashboard.History.RunHistory>().Store
            .AddRun("before-restart", new ContinualLearning.Engine.Config.RunConfig(), DateTimeOffset.UtcNow);

        var response = await http.GetAsync("/?strategy=replay&run=before-restart");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/run/before-restart", response.Headers.Location!.OriginalString); // the run's own page, replayed from the database

        // A live run and an unknown id stay on the designer page.
        var live = await Api.StartRun(http, Naive);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/?run={live}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/?run=nope")).StatusCode);
    }

    [Fact]
    public async Task CompareExportsCsvAndJsonWithOnlyDifferingFields()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var a = await Api.StartRun(http, Naive);
        var b = await Api.StartRun(http, Replay);
        foreach (var id in new[] { a, b }) await Api.WaitStored(http, id);

        var json = await Api.Get(http, $"/api/compare?runs={a},{b}");
        Assert.Equal(["strategy", "replayRatio"], json.GetProperty("configDifferences").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
        var forgetting = json.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "forgetting");
        Assert.Equal([false, true], forgetting.GetProperty("best").EnumerateArray().Select(x => x.GetBoolean())); // replay forgets less

        var csv = (await http.GetStringAsync($"/api/compare/csv?runs={a},{b}")).TrimEnd().Split('\n');
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("id,name,status,strategy,replayRatio,average accuracy", csv[0]);
        Assert.StartsWith($"{b},", csv[2]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/compare?runs={a},nope")).StatusCode);
    }

    [Fact]
    public async Task SweepsQueueOneGroupAndReportMeanAndStdPerValueInOrder()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { strategy = "replay" }, param = "replayRatio", values = new[] { 1.0, 0.0 }, seeds = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var sweep = await Api.WaitFor(http, $"/api/sweeps/{id}", s => s.GetProperty("status").GetString() == "finished");
        Assert.Equal(4, sweep.GetProperty("total").GetInt32());
        var result = sweep.GetProperty("result");
        Assert.Equal("replayRatio", result.GetProperty("param").GetString());
        var points = result.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal([1.0, 0.0], points.Select(p => p.GetProperty("value").GetDouble()));
        foreach (var p in points)
        {
            Assert.Equal([0, 1], p.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("config").GetProperty("seed").GetInt32()));
            Assert.True(p.GetProperty("std").GetProperty("averageAccuracy").GetDouble() >= 0);
        }
        double Task1(JsonElement p) => p.GetProperty("mean").GetProperty("accuracyMatrix")[1][0].GetDouble();
        Assert.True(Task1(points[0]) > Task1(points[1]) + 30);
        // The sweep's runs are in the history, tagged with the sweep.
        var tagged = (await Api.Get(http, "/api/history")).EnumerateArray().Count(r => r.TryGetProperty("sweepId", out var s) && s.GetString() == id);
        Assert.Equal(4, tagged);
    }

    [Fact]
    public async Task ASweepWithoutValuesRepeatsTheConfigOverTheSeeds()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { strategy = "replay", replayRatio = 0.2, seed = 7 }, seeds = 2 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var sweep = await Api.WaitFor(http, $"/api/sweeps/{id}", s => s.GetProperty("status").GetString() == "finished");
        var point = Assert.Single(sweep.GetProperty("result").GetProperty("points").EnumerateArray());
        Assert.Equal(0.2, point.GetProperty("value").GetDouble());
        Assert.Equal([7, 8], point.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("config").GetProperty("seed").GetInt32()));
    }

    [Fact]
    public async Task InvalidSweepsAreRejectedWithFieldErrors()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var response = await http.PostAsJsonAsync("/api/sweeps", new { param = "epochs", values = new[] { 1.5 }, seeds = 50 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("whole numbers", errors.GetProperty("values")[0].GetString());
        Assert.Contains("between 1 and 20", errors.GetProperty("seeds")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/sweeps/nope")).StatusCode);
        Assert.Empty((await Api.Get(http, "/api/history")).EnumerateArray());
    }
}
