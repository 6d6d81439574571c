using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Runs;

/// <summary>
/// The runs this server holds in memory, by id: queued, running, ended but not yet stored, and the few most recently
/// ended. A run whose end is stored is released (<see cref="Release"/>) and then served from the run database, so memory
/// does not grow with the number of runs.
/// </summary>
public interface IRunRegistry
{
    void Add(TrainingRun run);
    TrainingRun? Find(string id);
    /// <summary>All runs in memory, newest first.</summary>
    IReadOnlyList<TrainingRun> All();
    /// <summary>The run has ended and is fully stored: the registry may forget it (it keeps the most recent few).</summary>
    void Release(TrainingRun run);
    /// <summary>Forgets a run at once (it was deleted). False when it was not held.</summary>
    bool Remove(string id);
}

/// <param name="options">How many released runs (and events in them) stay in memory; defaults when null.</param>
public sealed class InMemoryRunRegistry(IOptions<DashboardOptions>? options = null) : IRunRegistry
{
    readonly DashboardOptions settings = options?.Value ?? new();
    readonly Dictionary<string, TrainingRun> runs = [];
    readonly LinkedList<TrainingRun> released = new(); // oldest first
    long releasedEvents;
    readonly Lock gate = new();

    public void Add(TrainingRun run)
    {
        lock (gate) runs.Add(run.Id, run);
    }

    public TrainingRun? Find(string id)
    {
        lock (gate) return runs.GetValueOrDefault(id);
    }

    public IReadOnlyList<TrainingRun> All()
    {
        lock (gate) return runs.Values.OrderByDescending(r => r.CreatedAt).ToArray();
    }

    public void Release(TrainingRun run)
    {
        lock (gate)
        {
            if (!runs.ContainsKey(run.Id) || released.Contains(run)) return;
            released.AddLast(run);
            releasedEvents += run.Events.Count;
            while (released.First is { } oldest
                && (released.Count > settings.FinishedRunsInMemory || releasedEvents > settings.FinishedEventsInMemory))
                Forget(oldest.Value);
        }
    }

    public bool Remove(string id)
    {
        lock (gate)
        {
            if (!runs.TryGetValue(id, out var run)) return false;
            Forget(run);
            return true;
        }
    }

    void Forget(TrainingRun run)
    {
        runs.Remove(run.Id);
        if (released.Remove(run)) releasedEvents -= run.Events.Count;
    }
}
