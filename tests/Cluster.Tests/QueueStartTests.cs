using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Cluster.Testing;
using ContinualLearning.Runs;
using ContinualLearning.Storage.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using static ContinualLearning.Cluster.Testing.TestCluster;

namespace ContinualLearning.Cluster.Tests;

/// <summary>
/// The queue grain shows a run as started only once the run's grain holds it. A web node that sees a run started
/// watches its grain at once; a watch that reached the grain before its start found no run there and ended the run as
/// lost (interrupted, while its worker trained it on), which the cluster benchmark hit under load. The test asks the
/// grains themselves, as a web node's silo does, through an Orleans client of the test's cluster.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueueStartTests(PostgresServer postgres) : IDisposable
{
    readonly TestCluster cluster = new(postgres);

    [ClusterFact]
    public async Task Every_run_the_queue_shows_as_started_is_already_held_by_its_run_grain()
    {
        await cluster.StartWorkers("worker-1", "worker-2");
        var web = (await cluster.StartWebNodes("web"))[0];
        using var client = await Client(cluster);
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var queue = grains.GetGrain<IRunQueueGrain>(RunQueueGrain.Key);
        using var http = web.Http();
        // Runs of a few seconds each, two at a time: each is seen started well before its recording is done (and the queue
        // shows a run as started from its start until its next look at the store after its end).
        var ids = new List<string>();
        for (int seed = 1; seed <= 16; seed++) ids.Add(await Submit(http, new { iterationsPerTask = 1_500, evalEvery = 500, seed }));

        var seen = new HashSet<string>();
        var notHeld = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (seen.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            var view = await queue.View(Guid.Empty, -1);
            foreach (var started in view!.Started.Where(r => ids.Contains(r.Id) && seen.Add(r.Id)))
            {
                // Held: the grain that trains it records it (null would be a fresh activation that holds no run), unless this
                // test was kept off the cores so long that the run trained and was stored whole meanwhile.
                if (await grains.GetGrain<IRunGrain>(started.Id).Recording() is null && !await StoredFinished(http, started.Id)) notHeld.Add(started.Id);
            }
        }
        Assert.True(seen.Count == ids.Count, $"the queue showed {seen.Count} of {ids.Count} runs as started");
        Assert.True(notHeld.Count == 0, $"shown as started before their grain held them: {string.Join(", ", notHeld)}");
        foreach (var id in ids) await cluster.Until(StoredStatus(http, id, "finished"), $"run {id} stored as finished");
    }

    static async Task<bool> StoredFinished(HttpClient http, string id) =>
        HistoryLists(await http.GetFromJsonAsync<JsonElement>("/api/history"), id, "finished");

    /// <summary>An Orleans client of the test's cluster (its Redis, its cluster id), started.</summary>
    static async Task<IHost> Client(TestCluster cluster)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseRedisClustering(cluster.Redis)
            .Configure<ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = new RunClusterOptions().ServiceId; }));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public void Dispose() => cluster.Dispose();
}
