using System.Collections.Concurrent;
using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.History;

/// <summary>
/// Keeps every run: opens the run database on start (checking it, and marking runs a crash left behind as interrupted)
/// and stores each run the queue submits before it is queued. A run is recorded where it trains: the silo of its run
/// grain records it (<see cref="RunRecordings"/>; this process, in the one-process default) and reports how that goes,
/// so this node only shows a "not saved" notice and releases the run from memory once its end is stored. A run that
/// never reached a grain, or whose grain was lost, is stored from this node's copy (its end, unless the store has one).
/// A recording that fails is isolated: the run goes on, shows a "not saved" notice, and is saved when the database
/// can be written again (the health check's successful probe retries at once).
/// </summary>
public sealed class RunHistory : IHostedService, IDisposable, IRunRecorder
{
    readonly IRunRegistry registry;
    readonly ILogger<RunHistory> logger;
    /// <summary>This node's copies of runs it stores itself (never reached a grain, or its grain was lost).</summary>
    readonly RunRecordings copies;
    /// <summary>Runs a silo records: this node's copy, and the silo's last recording error (null while all is stored).</summary>
    readonly ConcurrentDictionary<string, (TrainingRun Run, string? Error)> recordedElsewhere = new();
    /// <summary>Runs whose copy this node stores (once).</summary>
    readonly ConcurrentDictionary<string, byte> storedHere = new();

    public RunHistory(IRunRegistry registry, IOptions<DashboardOptions> options, IConfiguration configuration, ILogger<RunHistory> logger,
        ILogger<RunRecordings> recordingLogger)
    {
        this.registry = registry;
        this.logger = logger;
        try
        {
            // PostgreSQL when ConnectionStrings:Runs is set (every web node on it sees the same history), else the SQLite file.
            // A single server marks the runs it finds running interrupted (they trained in the process that stopped) and its
            // queue queues the queued ones again; in a cluster the queue grain owns queued runs and workers train the running
            // ones: nothing is marked at open.
            Store = RunStore.Open(configuration.GetConnectionString(RunStore.ConnectionStringName), DatabasePathFrom(configuration, options.Value),
                string.IsNullOrWhiteSpace(configuration[$"{RunClusterOptions.Section}:Redis"]) ? LeftGoing.InterruptRunning : LeftGoing.Keep);
        }
        catch (RunStoreOpenException e)
        {
            // The message names the file or server (no password), the cause and what to do; the server does not start without its database.
            logger.LogCritical("{Problem}", e.Message);
            throw;
        }
        if (Store.Quarantined is { } q)
            logger.LogError("THE RUN DATABASE {Path} WAS DAMAGED ({Problem}). It was moved to {MovedTo} and an empty database was started, " +
                "so the run history is empty. To get the history back, stop the server and restore the database from a backup " +
                "(or try `sqlite3 {MovedTo} \".recover\"`).", q.OriginalPath, q.Problem, q.MovedTo, q.MovedTo);
        if (Store.InterruptedOnOpen > 0)
            logger.LogWarning("{Count} runs were still going when the server last stopped; they are marked interrupted", Store.InterruptedOnOpen);
        logger.LogInformation("Run history in {Location}", Store.Location);
        copies = new RunRecordings(Store, recordingLogger);
        copies.ErrorChanged += id => RecordingChanged?.Invoke(id);
        copies.Saved += run => registry.Release(run); // now served from the database
    }

    /// <summary>ContinualLearning:DatabasePath, or runs.db in the data folder.</summary>
    public static string DatabasePathFrom(IConfiguration configuration, DashboardOptions options) =>
        configuration[$"{DashboardOptions.Section}:DatabasePath"] is { Length: > 0 } path ? path : Path.Combine(options.ResolvedDataFolder(), "runs.db");

    /// <summary>Where the history is: the SQLite file, or the PostgreSQL database (see <see cref="IRunStore.Location"/>).</summary>
    public string DatabasePath => Store.Location;
    public IRunStore Store { get; }

    public event Action<string>? RecordingChanged;

    public void Begin(IReadOnlyList<TrainingRun> runs, RunGroup? group = null)
    {
        try
        {
            Store.AddRuns(runs.Select(r => new NewRun(r.Id, r.Config, r.CreatedAt, Owner: r.Owner)).ToArray(),
                group is null ? null : new NewSweep(group.Id, group.SpecJson, group.Name, DateTimeOffset.UtcNow));
        }
        catch (RunStoreUnavailableException e)
        {
            logger.LogError(e.InnerException, "Refused {Count} run(s): the run database {Path} cannot be written ({Reason})", runs.Count, DatabasePath, e.Reason);
            throw;
        }
        foreach (var run in runs) run.Completion.ContinueWith(_ => CopyEnded(run), TaskScheduler.Default);
        RetryUnsaved(); // the database took a write: runs that could not be saved earlier may be now
    }

    public IReadOnlyList<RunSummary> StoredQueued() => Store.ListGoing().Where(r => r.Status == RunStatus.Queued).ToArray();

    public void Resume(IReadOnlyList<TrainingRun> runs)
    {
        foreach (var run in runs) run.Completion.ContinueWith(_ => CopyEnded(run), TaskScheduler.Default);
    }

    public void StoreInterrupted(RunSummary run, string message) =>
        Store.AppendEvents(run.Id, [RunEvent.InterruptedEnd(run.Id, message, run.EventCount + 1, DateTimeOffset.UtcNow)]);

    public void RecordedElsewhere(TrainingRun run) => recordedElsewhere[run.Id] = (run, null);

    public void Report(TrainingRun run, RecordingState? state)
    {
        if (state is null)
        {
            // Its silo records it no more: stored and done, or lost. This node's copy ends it if the store has no end.
            if (recordedElsewhere.TryRemove(run.Id, out var last))
            {
                if (last.Error is not null) RecordingChanged?.Invoke(run.Id);
                if (run.Events.IsComplete) StoreCopy(run);
            }
            return;
        }
        if (!recordedElsewhere.TryGetValue(run.Id, out var known)) return;
        if (state.Saved || state.Deleted)
        {
            recordedElsewhere.TryRemove(run.Id, out _);
            if (known.Error is not null) { logger.LogInformation("Run {Id} is saved now", run.Id); RecordingChanged?.Invoke(run.Id); }
            if (state.Saved) registry.Release(run); // now served from the database
            return;
        }
        if (known.Error == state.Error) return;
        recordedElsewhere[run.Id] = (run, state.Error);
        RecordingChanged?.Invoke(run.Id);
    }

    public IReadOnlyList<RunEvent> StoredEvents(string runId, long fromSeq) => Store.GetEvents(runId, fromSeq);

    public RunSummary? StoredSummary(string runId) => Store.GetSummary(runId);

    /// <summary>This node's copy of a run ended; a run its silo records is left to it.</summary>
    void CopyEnded(TrainingRun run)
    {
        if (!recordedElsewhere.ContainsKey(run.Id)) StoreCopy(run);
    }

    /// <summary>
    /// Stores this node's copy of an ended run, once: its events (the ones stored already are skipped) and its end,
    /// unless the store already holds an end (the run's silo stored it). Released at once in that case.
    /// </summary>
    void StoreCopy(TrainingRun run)
    {
        if (!storedHere.TryAdd(run.Id, 0)) return;
        try
        {
            if (Store.GetSummary(run.Id) is { } stored && stored.Status is not (RunStatus.Queued or RunStatus.Running))
            {
                storedHere.TryRemove(run.Id, out _);
                registry.Release(run);
                return;
            }
        }
        catch (Exception e)
        {
            logger.LogWarning("Run {Id}: could not read its stored status ({Error}); storing this node's copy", run.Id, e.Message);
        }
        Follow(run);
    }

    void Follow(TrainingRun run) =>
        copies.Follow(run).Completion.ContinueWith(_ => storedHere.TryRemove(run.Id, out var _), TaskScheduler.Default);

    public string? RecordingError(string runId) =>
        copies.Error(runId) ?? (recordedElsewhere.TryGetValue(runId, out var e) ? e.Error : null);

    /// <summary>Runs ended or going whose events could not all be saved yet.</summary>
    public int UnsavedCount => copies.Unsaved().Count + recordedElsewhere.Values.Count(r => r.Error is not null);

    /// <summary>The database took a write again: save what could not be saved, now.</summary>
    public void RetryUnsaved() => copies.RetryUnsaved();

    /// <summary>Deletes runs from the database and from memory; returns how many were stored.</summary>
    public int Delete(IReadOnlyCollection<string> ids)
    {
        int deleted = Store.Delete(ids);
        foreach (var id in ids) registry.Remove(id);
        return deleted;
    }

    /// <summary>
    /// Every stored run, newest first; a run this server holds whose end could not be saved yet shows its status as the
    /// server knows it, with <see cref="RunSummary.RecordingError"/> saying it is not saved.
    /// </summary>
    public IReadOnlyList<RunSummary> ListRuns()
    {
        var runs = Store.ListRuns();
        var unsaved = copies.Unsaved().Select(r => (r.Run, Error: (string?)r.Error))
            .Concat(recordedElsewhere.Values.Where(r => r.Error is not null)).DistinctBy(r => r.Run.Id).ToDictionary(r => r.Run.Id);
        if (unsaved.Count == 0) return runs;
        return runs.Select(s => unsaved.TryGetValue(s.Id, out var r) ? s with { Status = r.Run.Status, RecordingError = r.Error } : s).ToArray();
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
    public TrainingRun? Going(string runId) => registry.Find(runId) is { Events.IsComplete: false } live ? live : null;

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
        copies.Dispose();
        Store.Dispose();
    }
}
