using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Storage;

/// <summary>
/// Where every run is kept: config, status, timestamps, result and the event history, with sweeps. Two implementations
/// share their SQL (<see cref="SqlRunStore"/>): <see cref="SqliteRunStore"/> (one file, the default) and
/// <see cref="PostgresRunStore"/> (one database several web nodes share). Thread-safe; nothing is cached in the process,
/// so every read sees what any node wrote. A write that fails throws <see cref="RunStoreUnavailableException"/> and
/// changes nothing (each write is one transaction). <see cref="RunStore.Open"/> picks the implementation from settings.
/// </summary>
public interface IRunStore : IDisposable
{
    /// <summary>Where the runs are, for logs and messages: a file path, or a PostgreSQL database and server (never a password).</summary>
    string Location { get; }
    /// <summary>How many runs found going on open were marked interrupted (see <see cref="LeftGoing"/>).</summary>
    int InterruptedOnOpen { get; }
    /// <summary>Set when a SQLite file failed its integrity check on open and was replaced by an empty one; null otherwise.</summary>
    QuarantinedDatabase? Quarantined { get; }
    /// <summary>Test hook: make writes fail on demand (see <see cref="StoreFaults"/>).</summary>
    StoreFaults Faults { get; }

    int SchemaVersion();

    /// <summary>Health probe: one read and one small write in a transaction. Throws <see cref="RunStoreUnavailableException"/>.</summary>
    void Probe();

    /// <summary>Stores a run and starts writing its events as they come, in batches (one transaction per batch).</summary>
    RunRecording Record(TrainingRun run, string? name = null, string? sweepId = null, TimeSpan? flushInterval = null);
    /// <summary>Starts writing the events of a run already added (<see cref="AddRuns"/>), in batches.</summary>
    RunRecording Follow(TrainingRun run, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default);
    /// <summary>Starts writing an event log of a run already added, whoever fills it (a run here, or one hosted elsewhere).</summary>
    RunRecording Follow(RunEventLog log, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default);

    /// <summary>Adds a queued run with no events yet.</summary>
    void AddRun(string id, RunConfig config, DateTimeOffset createdAt, string? name = null, string? sweepId = null);
    /// <summary>
    /// Adds queued runs, and the sweep they form when given, in one transaction: all are stored or none. A sweep with a
    /// null spec only tags the runs (its row exists).
    /// </summary>
    void AddRuns(IReadOnlyList<NewRun> runs, NewSweep? sweep = null);
    /// <summary>
    /// Appends a batch of a run's events in one transaction and moves the run's status along (started → running,
    /// terminal event → finished/failed/cancelled/interrupted with the result). Events already stored are skipped, so a
    /// batch can be retried. The first end stored wins, whoever stores it (two nodes may both store an end of one run at
    /// shutdown; the queue stores the end of a run cancelled while queued, or of one whose worker died): a batch for a run
    /// that has an end changes nothing, and neither does a batch whose end would not directly follow the events stored.
    /// </summary>
    AppendResult AppendEvents(string runId, IReadOnlyList<RunEvent> events);

    /// <summary>Runs queued or running, oldest first (the cluster's queue rebuilds from them), without their events.</summary>
    IReadOnlyList<RunSummary> ListGoing();

    /// <summary>All runs, newest first, without their events (the history grid).</summary>
    IReadOnlyList<RunSummary> ListRuns();
    /// <summary>The summaries of the given runs that exist, in the order asked.</summary>
    IReadOnlyList<RunSummary> ListRuns(IEnumerable<string> ids);
    RunSummary? GetSummary(string id);
    /// <summary>A run with its result and full event history, or null when unknown.</summary>
    StoredRun? GetRun(string id);
    /// <summary>A run's stored events from seq onwards, in order.</summary>
    IReadOnlyList<RunEvent> GetEvents(string id, long fromSeq = 1);
    /// <summary>The results of the given runs that have one (finished runs), without their events.</summary>
    IReadOnlyDictionary<string, RunResult> GetResults(IEnumerable<string> ids);

    /// <summary>
    /// Names (labels) a run; null clears the name. A bad name is refused with an ArgumentException naming the field
    /// (see <see cref="RunNames.Problem"/>) and nothing changes. False when the run is unknown.
    /// </summary>
    bool Rename(string id, string? name);
    bool Delete(string id);
    /// <summary>Deletes runs and their events in one transaction; returns how many runs were deleted.</summary>
    int Delete(IEnumerable<string> ids);

    /// <summary>Stores a sweep (or repeat) and marks its runs as belonging to it, in one transaction.</summary>
    void AddSweep(string id, string specJson, IReadOnlyList<string> runIds, DateTimeOffset createdAt, string? name = null);
    StoredSweep? GetSweep(string id);
    /// <summary>All sweeps, newest first.</summary>
    IReadOnlyList<StoredSweep> ListSweeps();
    /// <summary>The newest <paramref name="limit"/> sweeps.</summary>
    IReadOnlyList<StoredSweep> ListSweeps(int limit);
    /// <summary>
    /// Deletes a sweep in one transaction: with its runs and their events, or leaving the runs as ordinary runs of the
    /// history. Returns false when there is no such sweep.
    /// </summary>
    bool DeleteSweep(string id, bool withRuns);

    /// <summary>Runs created at or after <paramref name="since"/>, newest first, at most <paramref name="limit"/> (the class board).</summary>
    IReadOnlyList<RunSummary> ListRecentRuns(DateTimeOffset since, int limit);

    /// <summary>Stores a new class experiment (open).</summary>
    void AddExperiment(StoredExperiment experiment);
    StoredExperiment? GetExperiment(string id);
    /// <summary>The newest <paramref name="limit"/> class experiments, newest first.</summary>
    IReadOnlyList<StoredExperiment> ListExperiments(int limit);
    /// <summary>Closes an experiment to new runs (closing again keeps the first time). False when there is no such experiment.</summary>
    bool CloseExperiment(string id, DateTimeOffset closedAt);
    /// <summary>
    /// Links a stored run to an experiment with the value its student chose, only while the experiment is open (checked
    /// in the same statement). False when the experiment is unknown or closed.
    /// </summary>
    bool JoinExperiment(string experimentId, string runId, double value, DateTimeOffset joinedAt);
    /// <summary>The runs that joined an experiment, in the order they joined (deleted runs leave it).</summary>
    IReadOnlyList<ExperimentRun> ExperimentRuns(string experimentId);
}
