using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Runs;

/// <summary>
/// Every run the server knows, by id. The in-memory registry is the whole story today; persistence (issue 4)
/// subscribes to RunAdded and follows each run's RunEventLog from seq 1, the same stream the hub and pages read.
/// </summary>
public interface IRunRegistry
{
    /// <summary>
    /// Raised once per new run, before it is queued. Handlers run synchronously while the queue is locked: start any
    /// follow-up work (e.g. <c>_ = StoreAsync(run.Events.ReadChunksAsync(1))</c>) and return at once. The log keeps the
    /// whole history, so a follower that starts late still gets every event.
    /// </summary>
    event Action<TrainingRun>? RunAdded;

    void Add(TrainingRun run);
    TrainingRun? Find(string id);
    /// <summary>All runs, newest first.</summary>
    IReadOnlyList<TrainingRun> All();
}

public sealed class InMemoryRunRegistry : IRunRegistry
{
    readonly Dictionary<string, TrainingRun> runs = [];
    readonly Lock gate = new();

    public event Action<TrainingRun>? RunAdded;

    public void Add(TrainingRun run)
    {
        lock (gate) runs.Add(run.Id, run);
        RunAdded?.Invoke(run);
    }

    public TrainingRun? Find(string id)
    {
        lock (gate) return runs.GetValueOrDefault(id);
    }

    public IReadOnlyList<TrainingRun> All()
    {
        lock (gate) return runs.Values.OrderByDescending(r => r.CreatedAt).ToArray();
    }
}
