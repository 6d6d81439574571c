using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Runs;

/// <summary>
/// The one-process default: this process's bounded, fair queue (<see cref="FairRunQueue{T}"/>) and a number of training
/// slots, one per core by default. A slot hands its run to the run host (<see cref="IRunHost"/>: a run grain in this
/// silo, which trains it on a dedicated thread) and the copy in the registry follows it. Runs a crash left queued in the
/// store are queued again on start (<see cref="RequeueStored"/>).
/// </summary>
/// <param name="host">Trains the runs; none = on a thread of this process (tests that build a queue by hand).</param>
/// <param name="lifetime">The host's: the queue stops as the application starts stopping, while the silo still runs, so
/// the runs' cancelled events still come back from their grains.</param>
public sealed class LocalRunQueue(IRunRegistry registry, DataSetCatalog catalog, IOptions<DashboardOptions> options, ILogger<LocalRunQueue> logger,
    IRunRecorder? recorder = null, IRunHost? host = null, IHostApplicationLifetime? lifetime = null)
    : RunQueueBase(registry, catalog, options.Value, logger, recorder), IHostedService, IDisposable
{
    readonly FairRunQueue<TrainingRun> waiting = new(options.Value.QueueCapacity, options.Value.OwnerQueueQuota);
    readonly HashSet<TrainingRun> running = [];
    readonly Dictionary<TrainingRun, double> estimatedSeconds = []; // how long each waiting or running run holds a worker
    // Measured ÷ estimated time of the runs that finished here (a running average): RunCostEstimate is deliberately
    // generous for the budget (about 2× on a quiet machine) and the load varies, so the wait learns from this server.
    double speedFactor = 1;
    readonly Lock gate = new();
    readonly SemaphoreSlim available = new(0);
    readonly CancellationTokenSource stopping = new();
    readonly IRunHost runHost = host ?? new ThreadRunHost();
    readonly List<Task> slots = [];
    int stopped;

    public override int Workers => LocalWorkers;
    public override int WaitingCount { get { lock (gate) return waiting.Count; } }
    public override int RunningCount { get { lock (gate) return running.Count; } }

    protected override Task<QueueRefusal?> ReserveAsync(string owner, int count)
    {
        lock (gate) return Task.FromResult(waiting.Reserve(owner, count));
    }

    protected override Task UnreserveAsync(string owner, int count)
    {
        lock (gate) waiting.Unreserve(owner, count);
        return Task.CompletedTask;
    }

    protected override Task EnqueueAsync(string owner, TrainingRun[] runs, double[] durations)
    {
        lock (gate)
        {
            for (int i = 0; i < runs.Length; i++)
            {
                Register(runs[i]);
                estimatedSeconds[runs[i]] = durations[i];
            }
            waiting.AddReserved(owner, runs);
        }
        available.Release(runs.Length);
        return Task.CompletedTask;
    }

    public override int? QueuePosition(TrainingRun run)
    {
        lock (gate) return waiting.Position(run);
    }

    public override QueueEstimate? Estimate(TrainingRun run)
    {
        lock (gate)
        {
            if (waiting.Position(run) is not { } position) return null;
            var busy = running.Select(r => (estimatedSeconds.GetValueOrDefault(r), r.StartedAt ?? DateTimeOffset.UtcNow));
            var ahead = waiting.InStartOrder().Take(position - 1).Select(r => estimatedSeconds.GetValueOrDefault(r));
            return EstimateAt(position, speedFactor, busy, ahead);
        }
    }

    public override int WaitingOf(string? owner)
    {
        lock (gate) return waiting.WaitingOf(owner ?? TrainingRun.LocalOwner);
    }

    public override Task CancelAsync(TrainingRun run)
    {
        bool removed;
        lock (gate)
        {
            removed = waiting.Remove(run);
            if (removed) estimatedSeconds.Remove(run);
        }
        run.Control.Cancel();
        if (removed)
        {
            run.Execute(); // a cancelled run only records its cancelled event
            OnChanged();
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ForwardRecordingChanges();
        lifetime?.ApplicationStopping.Register(Stop);
        RequeueStored();
        logger.LogInformation("{Workers} training slot(s)", Workers);
        for (int i = 0; i < Workers; i++) slots.Add(Task.Run(Slot));
        return Task.CompletedTask;
    }

    public const string NotRequeuedMessage = "The server stopped while this run was queued, and its settings are no longer accepted here; it was not started.";

    /// <summary>
    /// Queues again the runs the store holds as queued: the process that queued them stopped without cancelling them (a
    /// crash), and the store's open marked its running ones interrupted. In their stored order, owners in turn as before,
    /// past the limits (they were admitted once). One whose config this server no longer accepts ends as interrupted.
    /// </summary>
    void RequeueStored()
    {
        if (Recorder is null) return;
        IReadOnlyList<Storage.RunSummary> rows;
        try { rows = Recorder.StoredQueued(); }
        catch (Exception e)
        {
            logger.LogError("The runs left queued could not be read from the run store ({Error}); they stay queued there", e.Message);
            return;
        }
        var runs = new List<TrainingRun>();
        foreach (var row in rows)
        {
            try { runs.Add(new TrainingRun(row.Config, Catalog, row.Id, Budget, row.Owner, row.CreatedAt)); }
            catch (Engine.Config.ConfigValidationException e)
            {
                logger.LogWarning("Run {Id} was queued when the server stopped but is not accepted any more ({Error}); stored as interrupted", row.Id, e.Message);
                try { Recorder.StoreInterrupted(row, NotRequeuedMessage); }
                catch (Exception stored) { logger.LogError("Run {Id}: its interrupted end could not be stored ({Error})", row.Id, stored.Message); }
            }
        }
        if (runs.Count == 0) return;
        Recorder.Resume(runs);
        lock (gate)
        {
            foreach (var run in runs)
            {
                Register(run);
                estimatedSeconds[run] = EstimateOf(run.Config);
                waiting.Restore(run.Owner, run);
            }
        }
        available.Release(runs.Count);
        OnChanged();
        logger.LogWarning("{Count} run(s) were queued when the server last stopped; they are queued again", runs.Count);
    }

    async Task Slot()
    {
        while (true)
        {
            try { await available.WaitAsync(stopping.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            TrainingRun? run;
            lock (gate)
            {
                if (!waiting.TryDequeue(out run)) continue; // it was cancelled while waiting
                running.Add(run);
            }
            OnChanged();
            try { await runHost.Train(run, Budget).ConfigureAwait(false); }
            catch (Exception e) { logger.LogError(e, "Run {Id} escaped its host's error handling", run.Id); }
            finally
            {
                lock (gate)
                {
                    running.Remove(run);
                    if (estimatedSeconds.Remove(run, out var estimate)) Calibrate(run, estimate);
                }
                OnChanged();
            }
            logger.LogInformation("Run {Id} ended: {Status}", run.Id, run.Status);
        }
    }

    /// <summary>Moves the speed factor a fifth of the way towards what a finished run took relative to its estimate.</summary>
    void Calibrate(TrainingRun run, double estimate)
    {
        if (run.Status != RunStatus.Finished || run.StartedAt is not { } start || run.EndedAt is not { } end || estimate <= 0) return;
        double ratio = Math.Clamp((end - start).TotalSeconds / estimate, 0.05, 20);
        speedFactor += 0.2 * (ratio - speedFactor);
    }

    /// <summary>Shutdown: cancel everything, let the slots receive the cancellations, then stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Idempotent: the host may stop the service and the container dispose it, in either order.</summary>
    public void Dispose() => Stop();

    void Stop()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1) return;
        TrainingRun[] queued, started;
        lock (gate)
        {
            queued = [.. waiting.InStartOrder()];
            started = [.. running];
            foreach (var run in queued) waiting.Remove(run);
        }
        foreach (var run in started) run.Control.Cancel(); // the host passes it on; its cancelled event comes back
        foreach (var run in queued) { run.Control.Cancel(); run.Execute(); }
        stopping.Cancel();
        Task.WaitAll(slots.ToArray(), TimeSpan.FromSeconds(10));
        // stopping and available are left to the GC: a slot that outlived the wait may still touch them.
    }
}
