using System.Diagnostics;
using System.Net.Http.Json;
using ContinualLearning.Cluster.Testing;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using ContinualLearning.Storage.Tests;
using static ContinualLearning.Cluster.Testing.TestCluster;
using Xunit.Abstractions;

namespace ContinualLearning.Cluster.Tests;

/// <summary>
/// The cluster's one queue (a grain rebuilt from the store): queued runs outlive the web node that submitted them, any
/// web node cancels and places them, and a run whose worker and submitting web node both died still gets its end.
/// Real processes; every wait is on a condition.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueueClusterTests(PostgresServer postgres, ITestOutputHelper output) : IDisposable
{
    readonly TestCluster cluster = new(postgres);
    /// <summary>Said by the silo where the queue grain is activated (and rebuilt from the store).</summary>
    const string QueueActive = "Run queue active:";

    /// <summary>Long enough (tens of seconds) to hold the worker's one slot while the test looks at the runs behind it.</summary>
    static readonly object Blocker = new { iterationsPerTask = 30_000, evalEvery = 1_000, seed = 3 };

    [ClusterFact]
    public async Task Runs_queued_on_a_web_node_that_is_killed_still_train_and_finish_read_through_another_node()
    {
        var worker = (await cluster.StartWorkers("worker"))[0];
        // web-a first: the queue grain goes to the silo that calls it first, so it dies with web-a below.
        var submitting = (await cluster.StartWebNodes("web-a"))[0];
        await cluster.Until(submitting.Saying(QueueActive), "the queue grain active on web-a");
        var webs = new[] { submitting, (await cluster.StartWebNodes("web-b"))[0] };
        using var submitter = webs[0].Http();
        using var other = webs[1].Http();

        var first = await Submit(submitter, Blocker);
        var queued = new[] { await Submit(submitter, new { iterationsPerTask = 20, evalEvery = 10, seed = 41 }),
            await Submit(submitter, new { iterationsPerTask = 20, evalEvery = 10, seed = 42 }) };
        await cluster.Until(Status(submitter, first, "running"), "the first run training");
        // The other node sees the one queue: the last run is second in line there too.
        await cluster.Until(WaitFor(other, $"/api/runs/{queued[1]}", r => r.GetProperty("status").GetString() == "queued"
            && r.TryGetProperty("queuePosition", out var place) && place.GetInt32() == 2), "web-b placing the last run second in line");

        webs[0].KillHard();
        await webs[0].Exited();
        var killedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // Another silo activates the queue grain afresh, from the store's queued and running rows.
        await cluster.Until(Task.WhenAny(webs[1].Saying(QueueActive), worker.Saying(QueueActive)), "the queue grain rebuilt on another silo");
        output.WriteLine($"queue grain rebuilt {clock.Elapsed.TotalSeconds:0.0} s after web-a was killed");

        foreach (var id in queued.Prepend(first))
        {
            await cluster.Until(StoredStatus(other, id, "finished"), $"run {id} stored as finished");
            // web-b may hold a copy of the run (it was asked for it while queued): read the events once that copy has ended too.
            await cluster.Until(Status(other, id, "finished"), $"run {id} finished on web-b");
            var events = (await other.GetFromJsonAsync<List<RunEvent>>($"/api/runs/{id}/events", EngineJson.Options))!;
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
            Assert.Equal(RunEventKind.Finished, events[^1].Kind);
            Assert.True(worker.Trained(id), $"run {id} should have trained on the worker");
        }
        // The two were still waiting when their web node died: they started after it.
        var history = await other.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/history");
        foreach (var id in queued)
        {
            var row = history.EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
            Assert.True(row.GetProperty("startedAt").GetDateTimeOffset() > killedAt, $"run {id} started before its web node was killed");
        }
    }

    [ClusterFact]
    public async Task A_queued_run_cancelled_from_another_web_node_leaves_the_queue_once_and_shows_cancelled_on_both()
    {
        var worker = (await cluster.StartWorkers("worker"))[0];
        var webs = await cluster.StartWebNodes("web-a", "web-b");
        using var submitter = webs[0].Http();
        using var other = webs[1].Http();

        var blocker = await Submit(submitter, ContinualLearning.Testing.LongRun.Body);
        var waiting = await Submit(submitter, new { iterationsPerTask = 20, evalEvery = 10, seed = 7 });
        await cluster.Until(Status(submitter, blocker, "running"), "the blocker training");
        await cluster.Until(WaitFor(other, $"/api/runs/{waiting}", r => r.GetProperty("status").GetString() == "queued"
            && r.TryGetProperty("queuePosition", out var place) && place.GetInt32() == 1), "web-b placing the waiting run first in line");

        var clock = Stopwatch.StartNew();
        var cancel = await other.PostAsJsonAsync($"/api/runs/{waiting}/cancel", new { });
        Assert.True(cancel.IsSuccessStatusCode, $"cancel answered {(int)cancel.StatusCode}");
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("status").GetString());
        // A second cancel finds it ended.
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await other.PostAsJsonAsync($"/api/runs/{waiting}/cancel", new { })).StatusCode);

        await cluster.Until(Status(submitter, waiting, "cancelled"), "the submitting node's copy cancelled");
        output.WriteLine($"cancelled on web-b, shown cancelled on web-a {clock.Elapsed.TotalMilliseconds:0} ms later");
        await cluster.Until(StoredStatus(other, waiting, "cancelled"), "the cancelled status stored");
        var stored = (await other.GetFromJsonAsync<List<RunEvent>>($"/api/runs/{waiting}/events", EngineJson.Options))!;
        Assert.Equal(RunEventKind.Cancelled, Assert.Single(stored).Kind);

        // The running one is cancelled from web-b too (through its run grain); the cancelled run never reached the worker.
        Assert.True((await other.PostAsJsonAsync($"/api/runs/{blocker}/cancel", new { })).IsSuccessStatusCode);
        await cluster.Until(StoredStatus(submitter, blocker, "cancelled"), "the blocker stored as cancelled");
        Assert.False(worker.Trained(waiting), "a run cancelled while queued should never be placed on a worker");
        Assert.Equal("cancelled", (await submitter.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/runs/{waiting}")).GetProperty("status").GetString());
    }

    [ClusterFact]
    public async Task A_run_whose_worker_and_submitting_web_node_both_died_is_stored_interrupted_with_its_events()
    {
        var workers = await cluster.StartWorkers("worker-a", "worker-b");
        var webs = await cluster.StartWebNodes("web-a", "web-b");
        using var submitter = webs[0].Http();
        using var other = webs[1].Http();

        var id = await Submit(submitter, new { iterationsPerTask = 20_000, evalEvery = 500, seed = 11 });
        await using (var hub = Hub(webs[0]))
        {
            await hub.StartAsync();
            await cluster.Until(FirstEvaluation(hub, id), "the run's first evaluation");
        }
        var trainer = workers.Single(w => w.Trained(id));
        // Its first events are in the store (the worker records them) before both die together.
        await cluster.Until(WaitFor(other, "/api/history", list => list.EnumerateArray().Any(r =>
            r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() == "running")), "the run stored as running");
        var killedAt = Stopwatch.StartNew();
        trainer.KillHard();
        webs[0].KillHard();

        // Only the store is read on web-b (no copy of the run there to store its end): the queue grain's check does it.
        await cluster.Until(StoredStatus(other, id, "interrupted"), "the run stored as interrupted");
        output.WriteLine($"stored interrupted {killedAt.Elapsed.TotalSeconds:0.0} s after the kills");
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(150), $"stored interrupted {killedAt.Elapsed.TotalSeconds:0} s after the kills");
        var stored = (await other.GetFromJsonAsync<List<RunEvent>>($"/api/runs/{id}/events", EngineJson.Options))!;
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.True(stored.Count >= 2, $"{stored.Count} events stored");
        Assert.True(stored[^1] is { Kind: RunEventKind.Failed, Interrupted: true });
        Assert.Equal(1, stored.Count(e => e.IsTerminal));
    }

    public void Dispose() => cluster.Dispose();
}
