using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage.Tests;
using ContinualLearning.Cluster.Testing;
using ContinualLearning.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static ContinualLearning.Cluster.Testing.TestCluster;

namespace ContinualLearning.Cluster.Tests;

/// <summary>
/// Issue 10: web and worker processes (dotnet &lt;dll&gt; of the built projects) on a Redis and a PostgreSQL of the tests'
/// own, all on loopback and stopped after. Generous timeouts, and every wait is on a condition: the CI box has 2 cores.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresServer postgres) : IDisposable
{
    readonly TestCluster cluster = new(postgres);
    string clusterId => cluster.ClusterId;
    ClusterNode Add(ClusterNode node) => cluster.Add(node);
    Task<T> Until<T>(Task<T> task, string what) => cluster.Until(task, what);
    Task Until(Task task, string what) => cluster.Until(task, what);

    async Task<(ClusterNode A, ClusterNode B, ClusterNode Web)> StartCluster(int webSlots)
    {
        var database = cluster.Database;
        var a = Add(ClusterNode.Worker("worker-a", cluster.Redis, clusterId, database, slots: 1));
        var b = Add(ClusterNode.Worker("worker-b", cluster.Redis, clusterId, database, slots: 1));
        await Until(Task.WhenAll(a.Saying(WorkerReady), b.Saying(WorkerReady)), "both workers joined");
        // The web node joins last, so its first view of the cluster already holds both workers.
        var web = Add(ClusterNode.Web("web", cluster.Redis, clusterId, database, webSlots));
        using var http = web.Http();
        await Until(Healthy(http), "the web node answers /healthz");
        return (a, b, web);
    }

    [ClusterFact]
    public async Task A_sweep_fans_out_over_two_workers_and_each_run_arrives_complete_and_as_it_trains_in_one_process()
    {
        var (a, b, web) = await StartCluster(webSlots: 2);
        using var http = web.Http();
        var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { iterationsPerTask = 20, evalEvery = 10 }, seeds = 8 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ids = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(8, ids.Length);

        await using var hub = Hub(web);
        await hub.StartAsync();
        var streams = await Until(Task.WhenAll(ids.Select(id => WatchAll(hub, id))), "every run's events arrived");

        var catalog = new DataSetCatalog(Path.Combine(Path.GetTempPath(), "cl-cluster-local-" + Guid.NewGuid().ToString("n")));
        TorchSharp.torch.set_num_threads(1); // as on the workers: one libtorch thread per run
        foreach (var (id, events) in ids.Zip(streams))
        {
            // Complete and in order: seq 1..n without gaps, ending with finished.
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
            Assert.Equal(RunEventKind.Finished, events[^1].Kind);
            // Trained by exactly one worker, and the same seeded config gives the same accuracy matrix in this process.
            Assert.True(a.Trained(id) ^ b.Trained(id), $"run {id} should be placed on exactly one worker");
            var result = events[^1].Result!;
            var local = new TrainingRun(result.Config, catalog);
            local.Execute();
            Assert.Equal(RunStatus.Finished, local.Status);
            Assert.Equal(local.Result!.AccuracyMatrix, result.AccuracyMatrix);
        }
        Assert.Contains(ids, a.Trained);
        Assert.Contains(ids, b.Trained);
    }

    [ClusterFact]
    public async Task A_worker_killed_mid_run_leaves_its_run_interrupted_with_its_curves_and_the_rest_finish_elsewhere()
    {
        var (a, b, web) = await StartCluster(webSlots: 2);
        using var http = web.Http();
        using var watching = new CancellationTokenSource();
        var health = WatchHealth(web, watching.Token);

        var longId = await Submit(http, LongRun.Body);
        // Wait until it trains and has sent evaluations (curves) to the web node.
        await using var hub = Hub(web);
        await hub.StartAsync();
        await Until(FirstEvaluation(hub, longId), "the long run's first evaluation");
        var doomed = a.Trained(longId) ? a : b;
        var survivor = doomed == a ? b : a;
        // Short runs: one goes to the other worker now, the rest wait in the web node's queue.
        var shortIds = new List<string>();
        for (int i = 0; i < 3; i++) shortIds.Add(await Submit(http, new { iterationsPerTask = 20, evalEvery = 10, seed = 40 + i }));

        var killedAt = Stopwatch.StartNew();
        doomed.KillHard();
        var interrupted = await Until(WaitFor(http, $"/api/runs/{longId}", r => r.GetProperty("status").GetString() == "interrupted"), "the long run interrupted");
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(30), $"interrupted after {killedAt.Elapsed.TotalSeconds:0.0} s");
        Assert.False(string.IsNullOrEmpty(interrupted.GetProperty("error").GetString()));

        // Its curves so far are kept (and stored): evaluations, then one terminal event marking it interrupted.
        var events = await Until(WatchAll(hub, longId), "the interrupted run's events");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Contains(events, e => e.Kind == RunEventKind.Evaluation);
        Assert.True(events[^1] is { Kind: RunEventKind.Failed, Interrupted: true });
        await Until(WaitFor(http, "/api/history", list => list.EnumerateArray().Any(r =>
            r.GetProperty("id").GetString() == longId && r.GetProperty("status").GetString() == "interrupted")), "the interrupted status stored");

        // The others all finish, on the surviving worker.
        foreach (var id in shortIds)
        {
            await Until(WaitFor(http, $"/api/runs/{id}", r => r.GetProperty("status").GetString() == "finished"), $"run {id} finished");
            Assert.True(survivor.Trained(id), $"run {id} should have trained on the surviving worker");
        }
        watching.Cancel();
        var (answered, failures) = await health;
        Assert.True(answered > 0 && failures.Count == 0, $"/healthz: {answered} answers, failures: {string.Join("; ", failures)}");
    }

    [ClusterFact]
    public async Task A_run_is_recorded_where_it_trains_so_it_is_stored_whole_when_the_web_node_that_submitted_it_dies()
    {
        var database = cluster.Database;
        var worker = Add(ClusterNode.Worker("worker", cluster.Redis, clusterId, database, slots: 1));
        await Until(worker.Saying(WorkerReady), "the worker joined");
        var submitter = Add(ClusterNode.Web("web-a", cluster.Redis, clusterId, database, slots: 1));
        var other = Add(ClusterNode.Web("web-b", cluster.Redis, clusterId, database, slots: 1));
        using var http = submitter.Http();
        using var otherHttp = other.Http();
        await Until(Task.WhenAll(Healthy(http), Healthy(otherHttp)), "both web nodes answer /healthz");

        var id = await Submit(http, new { iterationsPerTask = 20_000, evalEvery = 500, seed = 5 });
        await using (var hub = Hub(submitter))
        {
            await hub.StartAsync();
            await Until(FirstEvaluation(hub, id), "the run's first evaluation reached the submitting web node");
        }
        submitter.KillHard();
        Assert.True(worker.Trained(id), "the run should train on the worker");

        // The other web node reads it from PostgreSQL: finished, with every event the worker produced.
        await Until(WaitFor(otherHttp, "/api/history", list => list.EnumerateArray().Any(r =>
            r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() == "finished")), "the run stored as finished");
        var stored = (await otherHttp.GetFromJsonAsync<List<RunEvent>>($"/api/runs/{id}/events", EngineJson.Options))!;
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.Contains(stored, e => e.Kind == RunEventKind.Evaluation);
        Assert.Equal(RunEventKind.Finished, stored[^1].Kind);
        Assert.Equal(20_000, stored[^1].Result!.Config.IterationsPerTask);
    }

    [ClusterFact]
    public async Task Any_web_node_streams_a_live_run_another_one_submitted_whole_and_as_the_submitter_does()
    {
        var database = cluster.Database;
        var worker = Add(ClusterNode.Worker("worker", cluster.Redis, clusterId, database, slots: 1));
        await Until(worker.Saying(WorkerReady), "the worker joined");
        var submitter = Add(ClusterNode.Web("web-a", cluster.Redis, clusterId, database, slots: 1));
        var other = Add(ClusterNode.Web("web-b", cluster.Redis, clusterId, database, slots: 1));
        using var http = submitter.Http();
        using var otherHttp = other.Http();
        await Until(Task.WhenAll(Healthy(http), Healthy(otherHttp)), "both web nodes answer /healthz");
        await using var hub = Hub(submitter);
        await using var otherHub = Hub(other);
        await Task.WhenAll(hub.StartAsync(), otherHub.StartAsync());

        // Asked at once, while it is queued or training: the other node attaches to the run's grain.
        var id = await Submit(http, new { iterationsPerTask = 3_000, evalEvery = 100, seed = 9 });
        var throughOther = WatchAll(otherHub, id);
        var throughSubmitter = WatchAll(hub, id);
        var streams = await Until(Task.WhenAll(throughSubmitter, throughOther), "the run's events through both web nodes");
        Assert.Equal(Enumerable.Range(1, streams[1].Count).Select(i => (long)i), streams[1].Select(e => e.Seq));
        Assert.Equal(RunEventKind.Finished, streams[1][^1].Kind);
        Assert.Contains(streams[1], e => e.Kind == RunEventKind.Evaluation);
        Assert.Equal(streams[0].Select(Json), streams[1].Select(Json));
        Assert.True(other.Said($"Run {id}: watching it from this node"), "web-b should have attached to the live run");
    }

    [ClusterFact]
    public async Task A_worker_without_the_run_database_refuses_to_start_naming_the_setting()
    {
        var worker = Add(ClusterNode.Worker("worker", cluster.Redis, clusterId, database: null, slots: 1));
        var code = await Until(worker.Exited(), "the worker stopped");
        Assert.NotEqual(0, code);
        Assert.True(worker.Said("ConnectionStrings:Runs must name the cluster's PostgreSQL run database"), worker.Output);
        Assert.False(worker.Said(WorkerReady));
    }

    static string Json(RunEvent e) => JsonSerializer.Serialize(e, EngineJson.Options);

    /// <summary>Asks /healthz twice a second until cancelled: how many answered, and what went wrong.</summary>
    static async Task<(int Answered, List<string> Failures)> WatchHealth(ClusterNode web, CancellationToken stop)
    {
        using var http = web.Http();
        http.Timeout = TimeSpan.FromSeconds(20);
        int answered = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await http.GetAsync("/healthz", stop);
                if (response.IsSuccessStatusCode) answered++; else failures.Add($"{(int)response.StatusCode}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            catch (Exception e) { failures.Add(e.Message); }
            try { await Task.Delay(500, stop); } catch (OperationCanceledException) { break; }
        }
        return (answered, failures);
    }

    public void Dispose() => cluster.Dispose();
}

/// <summary>A test that needs redis-server (and PostgreSQL); skipped, visibly, where either is not installed.</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if ((RedisServer.MissingReason ?? ContinualLearning.Storage.Tests.PostgresServer.MissingReason) is { } reason) Skip = reason;
    }
}
