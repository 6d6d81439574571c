using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using ContinualLearning.Storage.Tests;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Cluster.Testing;

/// <summary>
/// One test's cluster: a Redis of its own, a database on the shared PostgreSQL, and the processes it starts (workers,
/// web nodes), all stopped on dispose. Waits are on conditions with a generous patience, failing with every node's
/// output: the CI box has 2 cores.
/// </summary>
public sealed class TestCluster(PostgresServer postgres) : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);
    /// <summary>Said by a worker once its silo has joined the cluster and it can train.</summary>
    public const string WorkerReady = "training slot(s)";

    readonly RedisServer redis = new();
    readonly List<ClusterNode> nodes = [];
    string? database;

    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("n")[..8];
    public string Redis => redis.ConnectionString;
    /// <summary>This cluster's PostgreSQL database (made on first use).</summary>
    public string Database => database ??= postgres.CreateDatabase();

    public ClusterNode Add(ClusterNode node) { nodes.Add(node); return node; }

    /// <summary>Starts workers (one slot each unless said) and waits until every one has joined.</summary>
    public async Task<ClusterNode[]> StartWorkers(params string[] names)
    {
        var workers = names.Select(n => Add(ClusterNode.Worker(n, Redis, ClusterId, Database, slots: 1))).ToArray();
        await Until(Task.WhenAll(workers.Select(w => w.Saying(WorkerReady))), $"workers {string.Join(", ", names)} joined");
        return workers;
    }

    /// <summary>Starts web nodes on the cluster's database and waits until every one answers /healthz.</summary>
    public async Task<ClusterNode[]> StartWebNodes(params string[] names)
    {
        var webs = names.Select(n => Add(ClusterNode.Web(n, Redis, ClusterId, Database, slots: 1))).ToArray();
        await Until(Task.WhenAll(webs.Select(async w => { using var http = w.Http(); await Healthy(http); })), $"web nodes {string.Join(", ", names)} answer /healthz");
        return webs;
    }

    public static HubConnection Hub(ClusterNode web) => new HubConnectionBuilder()
        .WithUrl(new Uri(web.BaseAddress!, "/hubs/training"))
        .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions))
        .Build();

    public static async Task<List<RunEvent>> WatchAll(HubConnection hub, string id)
    {
        var events = new List<RunEvent>();
        await foreach (var e in hub.StreamAsync<RunEvent>("Watch", id)) events.Add(e);
        return events;
    }

    public static async Task FirstEvaluation(HubConnection hub, string id)
    {
        using var stop = new CancellationTokenSource();
        await foreach (var e in hub.StreamAsync<RunEvent>("Watch", id, stop.Token))
            if (e.Kind == RunEventKind.Evaluation) { stop.Cancel(); return; }
    }

    public static async Task<string> Submit(HttpClient http, object body)
    {
        var response = await http.PostAsJsonAsync("/api/runs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Polls a JSON resource until it satisfies the condition (the cluster has no event to wait on from here).</summary>
    public static async Task<JsonElement> WaitFor(HttpClient http, string path, Func<JsonElement, bool> condition)
    {
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(path);
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<JsonElement>() is var json && condition(json)) return json;
            }
            catch (HttpRequestException) { } // a node restarting; the patience bounds the wait
            await Task.Delay(250);
        }
    }

    /// <summary>Polls GET /api/runs/{id} until its status is <paramref name="status"/>.</summary>
    public static Task<JsonElement> Status(HttpClient http, string id, string status) =>
        WaitFor(http, $"/api/runs/{id}", r => r.GetProperty("status").GetString() == status);

    /// <summary>Polls the stored history (GET /api/history, read from the database only) until the run has <paramref name="status"/>.</summary>
    public static Task<JsonElement> StoredStatus(HttpClient http, string id, string status) =>
        WaitFor(http, "/api/history", list => HistoryLists(list, id, status));

    /// <summary>Whether the run history's list (GET /api/history) has the run with this status.</summary>
    public static bool HistoryLists(JsonElement history, string id, string status) =>
        history.EnumerateArray().Any(r => r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() == status);

    public static async Task Healthy(HttpClient http)
    {
        while (true)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { } // not listening yet
            await Task.Delay(250);
        }
    }

    /// <summary>Waits for the task; on timeout fails naming what was awaited, with every node's output.</summary>
    public async Task<T> Until<T>(Task<T> task, string what)
    {
        await Until((Task)task, what);
        return await task;
    }

    public async Task Until(Task task, string what)
    {
        try { await task.WaitAsync(Patience); }
        catch (TimeoutException)
        {
            Assert.Fail($"Waited {Patience.TotalMinutes} min for {what}.\n" + string.Join("\n", nodes.Select(n => $"--- {n.Name}{(n.HasExited ? " (exited)" : "")}:\n{Tail(n.Output)}")));
        }
    }

    static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];

    public void Dispose()
    {
        foreach (var node in nodes) node.Dispose();
        redis.Dispose();
    }
}
