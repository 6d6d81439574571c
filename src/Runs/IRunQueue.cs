using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Runs;

/// <summary>
/// What became of a submitted config: a queued run, validation errors, a full queue or owner's quota
/// (<paramref name="Refused"/>: which, with the sentence to answer 429 with), or a run database that cannot be written
/// (<paramref name="StorageUnavailable"/>: the sentence to show; nothing was queued).
/// </summary>
public sealed record Submission(TrainingRun? Run, IReadOnlyList<ConfigError> Errors, QueueRefusal? Refused, string? StorageUnavailable = null)
{
    public bool Accepted => Run is not null;
}

/// <summary>What became of a group of configs (a sweep): all queued, or none, and why.</summary>
public sealed record GroupSubmission(IReadOnlyList<TrainingRun> Runs, IReadOnlyList<ConfigError> Errors, QueueRefusal? Refused, string? StorageUnavailable = null)
{
    public bool Accepted => Runs.Count > 0;
}

/// <summary>Where a waiting run stands: its 1-based place in the order runs will start, and about how long until it starts.</summary>
public sealed record QueueEstimate(int Position, double WaitSeconds);

/// <summary>
/// The background engine as every edge (REST, hub, page) sees it: a bounded, fair queue of runs (round-robin across
/// owners, FIFO within one, a quota per owner) in front of the training slots. Edges submit here and read the local
/// copies of the runs in the registry, whether a run trains in this process or not. Two implementations, chosen once at
/// start-up (<see cref="RunHosting.AddRunQueue"/>): <see cref="LocalRunQueue"/> (the one-process default: this process's
/// queue and slots) and <see cref="ClusterRunQueue"/> (the cluster's one queue grain, with its workers' slots). Submit and
/// cancel are asynchronous because in a cluster they are calls to that grain: a request waits for it without holding a thread.
/// </summary>
public interface IRunQueue
{
    DataSetCatalog Catalog { get; }
    /// <summary>What one run (and one sweep, summed over its runs) may cost; from ContinualLearning:Budget.</summary>
    RunBudget Budget { get; }
    /// <summary>Runs waiting at most, all owners together (ContinualLearning:QueueCapacity).</summary>
    int Capacity { get; }
    /// <summary>Runs one owner may have waiting at most (ContinualLearning:OwnerQueueQuota).</summary>
    int OwnerQuota { get; }
    /// <summary>The most runs one submission (a sweep) can ever queue: more would be refused for ever.</summary>
    int MaxGroup { get; }
    /// <summary>Runs trained at the same time (ContinualLearning:Concurrency; one per core by default); in a cluster, the workers' slots together.</summary>
    int Workers { get; }
    /// <summary>Runs waiting for a worker, all owners together.</summary>
    int WaitingCount { get; }
    /// <summary>Runs training now (<see cref="Workers"/> at most).</summary>
    int RunningCount { get; }

    /// <summary>Raised when a run is queued, starts, or leaves the queue (queue positions change), or its "not saved" notice changes.</summary>
    event Action? Changed;

    /// <param name="owner">Who submits (the identity the server gave them); null = the local user of a personal dashboard.</param>
    Task<Submission> SubmitAsync(RunConfig config, string? owner = null);

    /// <summary>
    /// Queues all the configs or none: each is validated, the queue must have room for all (in all and within the
    /// owner's quota), and all are stored (with their group, when given) before any is registered or queued.
    /// </summary>
    Task<GroupSubmission> SubmitAllAsync(IReadOnlyList<RunConfig> configs, RunGroup? group = null, string? owner = null);

    /// <summary>Why the run's events or end could not be saved (shown with the run), or null when all is stored.</summary>
    string? RecordingError(TrainingRun run);

    /// <summary>1-based place in the order runs will start (fair order, not arrival order), or null when the run is not waiting.</summary>
    int? QueuePosition(TrainingRun run);

    /// <summary>
    /// The run's place and about how long until it starts, or null when it is not waiting. The wait plays the queue
    /// forward (<see cref="QueuePlay.Wait"/>), with estimates scaled by how long finished runs actually took relative to theirs.
    /// </summary>
    QueueEstimate? Estimate(TrainingRun run);

    /// <summary>Runs the owner has waiting (<see cref="OwnerQuota"/> at most); null = the local user.</summary>
    int WaitingOf(string? owner);

    /// <summary>Cancels a waiting run (it ends at once, with a cancelled event) or a running one (within one batch).</summary>
    Task CancelAsync(TrainingRun run);
}
