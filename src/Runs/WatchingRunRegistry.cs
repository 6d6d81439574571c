using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContinualLearning.Runs;

/// <summary>
/// The registry of a web node in a cluster: besides the runs this node submitted, any live run another node submitted.
/// Asked for a run it does not hold that the store says is queued or running, it registers a copy of it here and
/// attaches that copy to the run's grain (<see cref="GrainRunHost.Watch"/>), one copy per run on this node, so pages,
/// hub and REST here stream its whole history then its live events, as for the node's own runs. The copy is released
/// (served from the store again) once it has ended.
/// </summary>
public sealed class WatchingRunRegistry(InMemoryRunRegistry local, IServiceProvider services, ILogger<WatchingRunRegistry> logger) : IRunRegistry
{
    readonly Lock gate = new();

    public void Add(TrainingRun run) => local.Add(run);
    public IReadOnlyList<TrainingRun> All() => local.All();
    public void Release(TrainingRun run) => local.Release(run);
    public bool Remove(string id) => local.Remove(id);

    public TrainingRun? Find(string id)
    {
        if (local.Find(id) is { } held) return held;
        // Lazily: the run history and the run host depend on this registry.
        var recorder = services.GetService<IRunRecorder>();
        if (recorder is null || services.GetService<IRunHost>() is not GrainRunHost host) return null;
        Storage.RunSummary? stored;
        try { stored = recorder.StoredSummary(id); }
        catch (Exception e)
        {
            logger.LogWarning("Run {Id}: the store could not say whether it is live ({Error})", id, e.Message);
            return null;
        }
        if (stored is not { Status: RunStatus.Queued or RunStatus.Running }) return null;
        TrainingRun copy;
        lock (gate)
        {
            if (local.Find(id) is { } attached) return attached; // another request attached it meanwhile
            copy = new TrainingRun(stored.Config, services.GetRequiredService<DataSetCatalog>(), id, owner: stored.Owner);
            try { local.Add(copy); }
            catch (ArgumentException) { return local.Find(id); } // this node's queue registered it meanwhile (stored, then registered)
        }
        logger.LogInformation("Run {Id}: watching it from this node (another node submitted it)", id);
        _ = Task.Run(async () =>
        {
            try { await host.Watch(copy); }
            catch (Exception e) { logger.LogError(e, "Run {Id}: watching it ended in error", id); copy.MirrorInterrupted(GrainRunHost.LostMessage); }
            local.Release(copy);
        });
        return copy;
    }
}
