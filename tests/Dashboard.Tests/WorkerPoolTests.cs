using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>Issue 9: several workers train at once, deterministically; the fair queue's quota, order and wait at the edges.</summary>
public sealed class WorkerPoolTests
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>A run long enough (tens of seconds at full speed) to still be going when the test looks; cancelled at the end.</summary>
    static readonly RunConfig Long = new() { IterationsPerTask = 20_000, EvalEvery = 1_000 };

    static Dictionary<string, string> Settings(int workers, int? quota = null)
    {
        var settings = new Dictionary<string, string> { ["ContinualLearning:Concurrency"] = workers.ToString() };
        if (quota is { } q) settings["ContinualLearning:OwnerQueueQuota"] = q.ToString();
        return settings;
    }

    /// <summary>Waits for the run's first event: a worker has taken it and it is training.</summary>
    static async Task Started(TrainingRun run)
    {
        await using var events = run.Events.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    static async Task CancelAll(IRunQueue queue, params TrainingRun[] runs)
    {
        foreach (var run in runs) await queue.CancelAsync(run);
        await Task.WhenAll(runs.Select(r => r.Completion)).WaitAsync(Patience);
    }

    [Fact]
    public async Task With_two_workers_two_runs_train_at_the_same_time()
    {
        await using var server = DashboardServer.Start(settings: Settings(workers: 2));
        var queue = server.Services.GetRequiredService<IRunQueue>();
        Assert.Equal(2, queue.Workers);

        var first = (await queue.SubmitAsync(Long)).Run!;
        var second = (await queue.SubmitAsync(Long)).Run!;
        await Task.WhenAll(Started(first), Started(second));

        // Both have started and neither has ended: they are training at once, none waits.
        Assert.Equal((RunStatus.Running, RunStatus.Running), (first.Status, second.Status));
        Assert.Equal((2, 0), (queue.RunningCount, queue.WaitingCount));
        await CancelAll(queue, first, second);
        Assert.Equal((RunStatus.Cancelled, RunStatus.Cancelled), (first.Status, second.Status));
    }

    [Fact]
    public async Task The_same_seeded_config_gives_the_same_accuracy_matrix_alone_and_beside_other_runs()
    {
        await using var server = DashboardServer.Start(settings: Settings(workers: 3));
        var queue = server.Services.GetRequiredService<IRunQueue>();
        var config = new RunConfig { Seed = 11, IterationsPerTask = 300, EvalEvery = 50 };
        var other = new RunConfig { Seed = 3, Strategy = "replay", ReplayRatio = 0.2, IterationsPerTask = 300, EvalEvery = 50 };

        var twin1 = (await queue.SubmitAsync(config)).Run!;
        var twin2 = (await queue.SubmitAsync(config)).Run!;
        var beside = (await queue.SubmitAsync(other)).Run!;
        await Task.WhenAll(twin1.Completion, twin2.Completion, beside.Completion).WaitAsync(Patience);
        var alone = (await queue.SubmitAsync(config)).Run!;
        await alone.Completion.WaitAsync(Patience);

        Assert.All(new[] { twin1, twin2, beside, alone }, r => Assert.Equal(RunStatus.Finished, r.Status));
        Assert.True(twin1.StartedAt < twin2.EndedAt && twin2.StartedAt < twin1.EndedAt, "the twins trained at the same time");
        Assert.Equal(twin1.Result!.AccuracyMatrix, twin2.Result!.AccuracyMatrix);
        Assert.Equal(twin1.Result.AccuracyMatrix, alone.Result!.AccuracyMatrix);
        Assert.NotEqual(twin1.Result.AccuracyMatrix, beside.Result!.AccuracyMatrix); // a different config does differ
    }

    [Fact]
    public async Task An_owner_past_the_quota_gets_429_saying_the_quota_and_how_many_wait()
    {
        await using var server = DashboardServer.Start(settings: Settings(workers: 1, quota: 2));
        var queue = server.Services.GetRequiredService<IRunQueue>();
        using var http = server.Http();
        var blocker = (await queue.SubmitAsync(Long)).Run!;
        await Started(blocker); // the one worker is busy: what follows waits

        async Task<HttpResponseMessage> Post() => await http.PostAsJsonAsync("/api/runs", new { iterationsPerTask = 100 });
        var queued = new List<string>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var accepted = await Post();
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            queued.Add((await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        var refused = await Post();
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("2 runs waiting", detail);
        Assert.Contains("at most 2", detail);

        // The hub's Start says the same.
        await using var hub = server.Hub();
        await hub.StartAsync();
        var hubRefusal = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => hub.InvokeAsync<string>("Start", new { iterationsPerTask = 100 }));
        Assert.Contains("at most 2", hubRefusal.Message);

        // A sweep that would pass the quota now is a 429 as well (all or none); one that never could is a 400.
        var sweep = await http.PostAsJsonAsync("/api/sweeps", new { config = new { iterationsPerTask = 100 }, param = "learningRate", values = new[] { 0.01 } });
        Assert.Equal((HttpStatusCode)429, sweep.StatusCode);
        var tooBig = await http.PostAsJsonAsync("/api/sweeps", new { config = new { iterationsPerTask = 100 }, param = "learningRate", values = new[] { 0.01, 0.02, 0.03 } });
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Equal(2, queue.WaitingCount);

        // Someone else is not held to this owner's quota.
        var otherOwner = await queue.SubmitAsync(new RunConfig { IterationsPerTask = 100 }, owner: "student-b");
        Assert.True(otherOwner.Accepted);

        await CancelAll(queue, [blocker, otherOwner.Run!, .. queued.Select(server.Run)]);
    }

    [Fact]
    public async Task Queued_runs_show_their_place_in_the_fair_order_and_an_estimated_wait()
    {
        await using var server = DashboardServer.Start(settings: Settings(workers: 1));
        var queue = server.Services.GetRequiredService<IRunQueue>();
        using var http = server.Http();
        var blocker = (await queue.SubmitAsync(Long)).Run!;
        await Started(blocker);

        var small = new RunConfig { IterationsPerTask = 5_000 }; // seconds of estimated compute each: the waits differ clearly
        var sweep = (await queue.SubmitAllAsync([small, small, small], owner: "student-a")).Runs; // one student's sweep first
        var late = (await queue.SubmitAsync(small, owner: "student-b")).Run!; // then another student's single run

        // Round-robin: student-b's run goes second, not fourth.
        Assert.Equal([1, 3, 4], sweep.Select(r => queue.QueuePosition(r)!.Value));
        Assert.Equal(2, queue.QueuePosition(late));

        var views = new List<JsonElement>();
        foreach (var run in new[] { sweep[0], late, sweep[1] })
            views.Add(await http.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}"));
        Assert.Equal([1, 2, 3], views.Select(v => v.GetProperty("queuePosition").GetInt32()));
        var waits = views.Select(v => v.GetProperty("estimatedWaitSeconds").GetDouble()).ToArray();
        Assert.True(waits[0] > 0, "the first waits for the blocker's remaining time"); // tens of seconds of estimated compute
        Assert.True(waits[0] < waits[1] && waits[1] < waits[2], $"waits grow along the queue: {string.Join(", ", waits)}");

        // A running run shows no place and no wait (null fields are left out).
        var running = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{blocker.Id}");
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.False(running.TryGetProperty("queuePosition", out _));
        Assert.False(running.TryGetProperty("estimatedWaitSeconds", out _));

        await CancelAll(queue, [blocker, late, .. sweep]);
    }
}
