using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Runs;

/// <summary>A sweep (or repeat) that a group of runs forms, stored together with them.</summary>
public sealed record RunGroup(string Id, string SpecJson, string? Name);

/// <summary>
/// Persistence as a web node sees it (the run history implements it). The queue stores a run before it registers or
/// queues it, so a database that cannot be written refuses the submission instead of leaving a ghost run. A run that
/// reaches a run grain is recorded by the silo that trains it (<see cref="RunRecordings"/>); this node then only
/// learns how that recording goes. A run that never reaches one (cancelled while queued, no worker), or whose silo
/// was lost, has its end stored from this node's copy, unless the store already holds an end.
/// </summary>
public interface IRunRecorder
{
    /// <summary>
    /// Stores the runs as queued, and their group when given, in one transaction. Throws
    /// <see cref="Storage.RunStoreUnavailableException"/> when that cannot be written; then nothing was stored.
    /// </summary>
    void Begin(IReadOnlyList<TrainingRun> runs, RunGroup? group = null);

    /// <summary>The runs stored as queued, oldest first (a single server restarted after a crash queues them again).</summary>
    IReadOnlyList<Storage.RunSummary> StoredQueued();

    /// <summary>Runs already stored as queued, queued again after a restart: recorded from now on as <see cref="Begin"/> records, without storing them again.</summary>
    void Resume(IReadOnlyList<TrainingRun> runs);

    /// <summary>
    /// Stores the interrupted end of a run stored as queued that will not be queued again (its config is no longer
    /// accepted here), after the events it holds, unless the store already holds an end.
    /// </summary>
    void StoreInterrupted(Storage.RunSummary run, string message);

    /// <summary>The run started on a run grain, whose silo records it: this node's copy is not recorded.</summary>
    void RecordedElsewhere(TrainingRun run);

    /// <summary>
    /// What the silo recording the run says of it; null when it records no such run (it is stored and done, or its
    /// silo was lost): then this node stores the end of its copy, once the copy has ended, if the store lacks one.
    /// </summary>
    void Report(TrainingRun run, RecordingState? state);

    /// <summary>The run as stored (without its events), or null when the store has no such run.</summary>
    Storage.RunSummary? StoredSummary(string runId);

    /// <summary>The run's stored events from <paramref name="fromSeq"/> (what its silo recorded that this node's copy may lack).</summary>
    IReadOnlyList<RunEvent> StoredEvents(string runId, long fromSeq);

    /// <summary>Why a run's events or end could not be saved (one sentence for users), or null when all is stored.</summary>
    string? RecordingError(string runId);

    /// <summary>Raised with the run's id when its recording error appears or clears.</summary>
    event Action<string>? RecordingChanged;
}
