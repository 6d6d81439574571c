using ContinualLearning.Engine.Training;

namespace ContinualLearning.Runs;

/// <summary>A sweep (or repeat) that a group of runs forms, stored together with them.</summary>
public sealed record RunGroup(string Id, string SpecJson, string? Name);

/// <summary>
/// Persistence as the run queue sees it (the run history implements it). The queue stores a run before it registers
/// or queues it, so a database that cannot be written refuses the submission instead of leaving a ghost run.
/// </summary>
public interface IRunRecorder
{
    /// <summary>
    /// Stores the runs as queued, and their group when given, in one transaction, then follows their events. Throws
    /// <see cref="Storage.RunStoreUnavailableException"/> when that cannot be written; then nothing was stored.
    /// </summary>
    void Begin(IReadOnlyList<TrainingRun> runs, RunGroup? group = null);

    /// <summary>Why a run's events or end could not be saved (one sentence for users), or null when all is stored.</summary>
    string? RecordingError(string runId);

    /// <summary>Raised with the run's id when its recording error appears or clears.</summary>
    event Action<string>? RecordingChanged;
}
