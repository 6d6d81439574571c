using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Runs;

/// <summary>
/// A web node in a cluster: the order, the limits and the placement are the cluster's one queue grain's
/// (<see cref="IRunQueueGrain"/>), reached through <see cref="ClusterQueueClient"/>, which keeps this node's copies of
/// the runs it submitted and a copy of the order (positions and waits are read from it without a call). Runs trained
/// on the workers; this node may stop or die and its queued runs still start.
/// </summary>
public sealed class ClusterRunQueue(IRunRegistry registry, DataSetCatalog catalog, IOptions<DashboardOptions> options, ILogger<ClusterRunQueue> logger,
    ClusterQueueClient cluster, IRunRecorder? recorder = null, IHostApplicationLifetime? lifetime = null)
    : RunQueueBase(registry, catalog, options.Value, logger, recorder), IHostedService, IDisposable
{
    readonly CancellationTokenSource stopping = new();

    /// <summary>The workers' slots together, as the queue grain last counted them; this process's setting until it has.</summary>
    public override int Workers => cluster.Current.Slots is > 0 and var slots ? slots : LocalWorkers;
    public override int WaitingCount => cluster.Current.Waiting.Length;
    public override int RunningCount => cluster.Current.Started.Length;

    protected override async Task<QueueRefusal?> ReserveAsync(string owner, int count)
    {
        try { return await cluster.ReserveAsync(owner, count); }
        catch (Exception e)
        {
            logger.LogError("The cluster's run queue cannot be reached: {Error}", e.Message);
            throw new RunQueueUnreachableException(e);
        }
    }

    protected override Task UnreserveAsync(string owner, int count) => cluster.UnreserveAsync(owner, count);

    /// <summary>The runs are stored: registered here, then submitted to the cluster's queue (which adopts them from the store should this fail).</summary>
    protected override async Task EnqueueAsync(string owner, TrainingRun[] runs, double[] durations)
    {
        foreach (var run in runs) Register(run);
        try { await cluster.EnqueueAsync(owner, runs, [.. runs.Select((r, i) => new QueuedRun(r.Id, RunStart.For(r, Budget), durations[i]))]); }
        catch (Exception e) { logger.LogError("Runs stored but not yet handed to the cluster's run queue ({Error}); it takes them from the store shortly", e.Message); }
    }

    public override int? QueuePosition(TrainingRun run) => run.Status == RunStatus.Queued ? cluster.Position(run.Id) : null;

    public override QueueEstimate? Estimate(TrainingRun run)
    {
        if (QueuePosition(run) is not { } place) return null;
        var view = cluster.Current;
        if (place > view.Waiting.Length) return null;
        return EstimateAt(place, view.SpeedFactor, view.Started.Select(r => (r.EstimateSeconds, r.StartedAt)),
            view.Waiting.Take(place - 1).Select(r => r.EstimateSeconds));
    }

    public override int WaitingOf(string? owner)
    {
        var who = owner ?? TrainingRun.LocalOwner;
        return cluster.Current.Waiting.Count(r => r.Owner == who);
    }

    public override async Task CancelAsync(TrainingRun run)
    {
        try
        {
            // Waiting in the cluster's queue (whichever node submitted it): it leaves the queue and ends cancelled there.
            if (run.Status == RunStatus.Queued && await cluster.CancelWaitingAsync(run)) { OnChanged(); return; }
        }
        catch (Exception e) { logger.LogWarning("Run {Id}: the cluster's run queue did not take the cancel ({Error}); cancelling the run", run.Id, e.Message); }
        run.Control.Cancel(); // started: its copy passes the cancel on to its run grain
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ForwardRecordingChanges();
        lifetime?.ApplicationStopping.Register(Stop);
        cluster.Changed += OnChanged;
        _ = Task.Run(() => cluster.Follow(stopping.Token));
        logger.LogInformation("Runs queue in the cluster's run queue");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => Stop();

    /// <summary>The cluster's runs go on without this node: its queued ones stay in the queue grain, its running ones on their workers.</summary>
    void Stop() => stopping.Cancel();
}
