using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Tests;

public sealed class RestApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Post_queues_a_run_that_finishes_with_a_result()
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/runs", new { iterationsPerTask = 6, evalEvery = 3, strategy = "replay", replayRatio = 0.05 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.ToString());

        await server.Run(id).Completion.WaitAsync(Patience);
        var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("finished", run.GetProperty("status").GetString());
        Assert.Equal("replay", run.GetProperty("config").GetProperty("strategy").GetString());
        Assert.Equal("0-4|5-9", run.GetProperty("config").GetProperty("tasks").GetString()); // missing fields take the seed's values
        Assert.Equal(0.0, run.GetProperty("config").GetProperty("pace").GetDouble()); // REST runs at full speed
        var matrix = run.GetProperty("result").GetProperty("accuracyMatrix");
        Assert.Equal(2, matrix.GetArrayLength());

        var list = await http.GetFromJsonAsync<JsonElement>("/api/runs");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Invalid_config_is_a_400_naming_each_bad_field()
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/runs", new { batchSize = 0, learningRate = -1, strategy = "forgetful", tasks = "0-4|4-9" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["batchSize", "learningRate", "strategy", "tasks"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("between 1 and 4096", errors.GetProperty("batchSize")[0].GetString());
    }

    [Fact]
    public async Task A_body_of_the_wrong_shape_is_a_400_naming_the_field()
    {
        using var http = server.Http();
        using var body = new StringContent("""{ "batchSize": "sixty-four" }""", System.Text.Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/api/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["batchSize"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Unknown_run_is_a_404_problem()
    {
        using var http = server.Http();
        var response = await http.GetAsync("/api/runs/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nope", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/runs/nope/cancel", new { })).StatusCode);
    }

    [Fact]
    public async Task Pause_resume_and_pace_are_retired_with_410_and_a_running_run_can_be_cancelled()
    {
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", LongRun.Body);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var run = server.Run(id);
        await foreach (var _ in run.Events.ReadAllAsync()) break; // started

        // Training never waits: pace and pause are per viewer now, and the old controls say where they went.
        foreach (var (action, body) in new[] { ("pause", (object)new { }), ("resume", new { }), ("pace", new { pace = 2.5 }) })
        {
            var retired = await http.PostAsJsonAsync($"/api/runs/{id}/{action}", body);
            Assert.Equal(HttpStatusCode.Gone, retired.StatusCode);
            Assert.Equal("application/problem+json", retired.Content.Headers.ContentType?.MediaType);
            var problem = await retired.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("WatchFrom(runId, pace, fromSeq)", problem.GetProperty("detail").GetString());
        }
        Assert.False(run.Control.IsCancellationRequested);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync($"/api/runs/{id}/cancel", new { })).StatusCode);
        await run.Completion.WaitAsync(Patience);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync($"/api/runs/{id}/cancel", new { })).StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_are_served()
    {
        using var http = server.Http();
        var health = await http.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        var openApi = await http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/runs/{id}/cancel", openApi);
    }
}

public sealed class QueueLimitTests(TinyQueueServer server) : IClassFixture<TinyQueueServer>
{
    [Fact]
    public async Task A_full_queue_answers_429_and_queued_runs_show_their_position()
    {
        using var http = server.Http();
        async Task<HttpResponseMessage> Slow() => await http.PostAsJsonAsync("/api/runs", new { pace = 1, iterationsPerTask = 500 });

        var first = await Slow();
        var firstRun = server.Run((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        await foreach (var _ in firstRun.Events.ReadAllAsync()) break; // the worker has taken it: the queue is empty again

        var second = await Slow();
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var waiting = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{secondId}");
        Assert.Equal("queued", waiting.GetProperty("status").GetString());
        Assert.Equal(1, waiting.GetProperty("queuePosition").GetInt32());

        var third = await Slow();
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.Contains("queue is full", await third.Content.ReadAsStringAsync());

        // Cancelling the queued run ends it at once; cancelling the running one ends it within a batch.
        await http.PostAsJsonAsync($"/api/runs/{secondId}/cancel", new { });
        Assert.Equal(RunStatus.Cancelled, server.Run(secondId).Status);
        await http.PostAsJsonAsync($"/api/runs/{firstRun.Id}/cancel", new { });
        await firstRun.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(RunStatus.Cancelled, firstRun.Status);
    }
}
