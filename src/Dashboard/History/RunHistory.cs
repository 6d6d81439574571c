using ContinualLearning.Dashboard.Runs;
using ContinualLearning.Engine.Events;
using ContinualLearning.Storage;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.History;

/// <summary>
/// Keeps every run: opens the run database on start (marking runs a crash left behind as interrupted) and records
/// each run the registry gets, from its first event, on the same RunEventLog the hub and pages read.
/// </summary>
public sealed class RunHistory : IHostedService, IDisposable
{
    readonly IRunRegistry registry;
    readonly ILogger<RunHistory> logger;
    readonly List<RunRecording> recordings = [];
    readonly Lock gate = new();

    public RunHistory(IRunRegistry registry, IOptions<DashboardOptions> options, IConfiguration configuration, ILogger<RunHistory> logger)
    {
        this.registry = registry;
        this.logger = logger;
        DatabasePath = DatabasePathFrom(configuration, options.Value);
        Store = RunStore.Open(DatabasePath);
        if (Store.InterruptedOnOpen > 0)
            logger.LogWarning("{Count} runs were still going when the server last stopped; they are marked interrupted", Store.InterruptedOnOpen);
        logger.LogInformation("Run history in {Path}", DatabasePath);
        // Subscribed here, not in StartAsync, so no run can be added before the recorder listens.
        registry.RunAdded += Record;
    }

    /// <summary>ContinualLearning:DatabasePath, or runs.db in the data folder.</summary>
    public static string DatabasePathFrom(IConfiguration configuration, DashboardOptions options) =>
        configuration[$"{DashboardOptions.Section}:DatabasePath"] is { Length: > 0 } path ? path : Path.Combine(options.ResolvedDataFolder(), "runs.db");

    public string DatabasePath { get; }
    public RunStore Store { get; }

    void Record(Engine.Training.TrainingRun run)
    {
        // The row is inserted here, synchronously (one small INSERT), so a run is in the history before Submit returns
        // and a sweep can tag its runs; the events follow on the recording's own task.
        var recording = Store.Record(run);
        lock (gate)
        {
            recordings.RemoveAll(r => r.Completion.IsCompleted);
            recordings.Add(recording);
        }
        recording.Completion.ContinueWith(t => logger.LogError(t.Exception, "Recording run {Id} failed", run.Id), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>
    /// A run as stored, but for a run still live on this server its status, result and events come from the live run:
    /// the database lags the event log by up to a batch, and the compare page follows the log. Null when unknown.
    /// </summary>
    public StoredRun? Current(string runId)
    {
        var stored = Store.GetRun(runId);
        if (stored is null || registry.Find(runId) is not { } live) return stored;
        var events = live.Events.Snapshot();
        return new StoredRun(stored.Summary with { Status = live.Status, EventCount = events.Count }, live.Result ?? stored.Result, events);
    }

    /// <summary>The live run behind a stored one while it is still producing events, else null.</summary>
    public Engine.Training.TrainingRun? Going(string runId) => registry.Find(runId) is { Events.IsComplete: false } live ? live : null;

    /// <summary>A stored run's events from the database, or null when the run is unknown.</summary>
    public IAsyncEnumerable<RunEvent>? StoredEvents(string runId, CancellationToken ct) =>
        Store.GetSummary(runId) is null ? null : Stored(runId, ct);

    async IAsyncEnumerable<RunEvent> Stored(string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var e in await Task.Run(() => Store.GetEvents(runId), ct))
        {
            ct.ThrowIfCancellationRequested();
            yield return e;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after the run queue has stopped (and recorded its cancellations): lets the last batches land.</summary>
    public void Dispose()
    {
        registry.RunAdded -= Record;
        Task[] pending;
        lock (gate) pending = recordings.Select(r => r.Completion).ToArray();
        try { Task.WaitAll(pending, TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { } // already logged
        Store.Dispose();
    }
}
