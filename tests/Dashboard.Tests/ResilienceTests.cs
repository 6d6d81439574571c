using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Tests;

public sealed class ResilienceTests(BrokenDataServer server) : IClassFixture<BrokenDataServer>
{
    [Fact]
    public async Task A_run_that_throws_ends_failed_with_its_message_and_the_server_keeps_serving()
    {
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", new { iterationsPerTask = 2 });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var run = server.Run(id);
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var view = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Contains("train-images", view.GetProperty("error").GetString());
        Assert.Equal("failed", run.Events.Snapshot()[^1].Kind.ToString().ToLowerInvariant());

        // The worker survived: the next run is taken and ends too, and the server still answers.
        var next = await http.PostAsJsonAsync("/api/runs", new { iterationsPerTask = 2 });
        var nextRun = server.Run((await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        await nextRun.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(RunStatus.Failed, nextRun.Status);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }
}

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_cancels_running_and_queued_runs()
    {
        TrainingRun running, queued;
        using (var server = new DashboardServer())
        {
            using var http = server.Http();
            async Task<TrainingRun> Slow()
            {
                var response = await http.PostAsJsonAsync("/api/runs", LongRun.Body);
                return server.Run((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            }
            running = await Slow();
            await foreach (var _ in running.Events.ReadAllAsync()) break; // it has started
            queued = await Slow();
        }
        Assert.Equal(RunStatus.Cancelled, running.Status);
        Assert.Equal(RunStatus.Cancelled, queued.Status);
        Assert.True(running.Events.IsComplete && queued.Events.IsComplete);
    }
}
