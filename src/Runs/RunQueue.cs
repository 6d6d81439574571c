using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
/// The background engine: a bounded, fair queue of runs (<see cref="FairRunQueue{T}"/>: round-robin across owners,
/// FIFO within one, a quota per owner) and a number of training slots, one per core by default. A slot hands its run
/// to the run host (<see cref="IRunHost"/>: a run grain, which trains it on a dedicated thread, in this process or on a
/// worker) and keeps this process's copy of the run fed with its events. Every edge (REST, hub, page) submits here and
/// reads the local copies in the registry, whether the run trains here or not.
/// </summary>
/// <param name="recorder">Stores each run before it is queued (the run history); none in tests that need no database.</param>
/// <param name="host">Trains the runs; none = on a thread of this process (tests that build a queue by hand).</param>
/// <param name="lifetime">The host's: the queue stops as the application starts stopping, while the silo still runs, so
/// the runs' cancelled events still come back from their grains.</param>
/// <param name="cluster">In a cluster: the cluster's one queue (a grain), which holds the order, the limits and the
/// placement instead of this node; this node then keeps its copies and a copy of the order. None = this process's queue.</param>
public sealed class RunQueue(IRunRegistry registry, DataSetCatalog catalog, IOptions<DashboardOptions> options, ILogger<RunQueue> logger,
    IRunRecorder? recorder = null, IRunHost? host = null, IHostApplicationLifetime? lifetime = null, ClusterQueueClient? cluster = null)
    : IHostedService, IDisposable
{
    readonly DashboardOptions settings = options.Value;
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

    public DataSetCatalog Catalog => catalog;
    /// <summary>What one run (and one sweep, summed over its runs) may cost; from ContinualLearning:Budget.</summary>
    public RunBudget Budget { get; } = options.Value.Budget.ToRunBudget();
    /// <summary>Runs waiting at most, all owners together (ContinualLearning:QueueCapacity).</summary>
    public int Capacity => waiting.Capacity;
    /// <summary>Runs one owner may have waiting at most (ContinualLearning:OwnerQueueQuota).</summary>
    public int OwnerQuota => waiting.OwnerQuota;
    /// <summary>The most runs one submission (a sweep) can ever queue: more would be refused for ever.</summary>
    public int MaxGroup => waiting.MaxGroup;
    /// <summary>Runs trained at the same time (ContinualLearning:Concurrency; one per core by default); in a cluster, the workers' slots together.</summary>
    public int Workers => cluster?.Current.Slots is > 0 and var slotsInCluster ? slotsInCluster : localWorkers;
    readonly int localWorkers = Math.Max(1, options.Value.ResolvedConcurrency());

    /// <summary>Raised when a run is queued, starts, or leaves the queue (queue positions change).</summary>
    public event Action? Changed;

    /// <param name="owner">Who submits (the identity the server gave them); null = the local user of a personal dashboard.</param>
    public Submission Submit(RunConfig config, string? owner = null)
    {
        var group = SubmitAll([config], owner: owner);
        return new(group.Runs.FirstOrDefault(), group.Errors, group.Refused, group.StorageUnavailable);
    }

    /// <summary>
    /// Queues all the configs or none: each is validated, the queue must have room for all (in all and within the
    /// owner's quota), and all are stored (with their group, when given) before any is registered or queued.
    /// </summary>
    public GroupSubmission SubmitAll(IReadOnlyList<RunConfig> configs, RunGroup? group = null, string? owner = null)
    {
        var errors = configs.SelectMany(c => ConfigValidator.Validate(c, catalog, Budget)).ToArray();
        if (errors.Length > 0 || configs.Count == 0) return new([], errors, null);
        var who = owner ?? TrainingRun.LocalOwner;
        try
        {
            // Places are reserved while the runs are stored, so a concurrent submission cannot take them meanwhile.
            if (Reserve(who, configs.Count) is { } refusal) return new([], [], refusal);
        }
        catch (Exception e) when (cluster is not null)
        {
            logger.LogError("The cluster's run queue cannot be reached: {Error}", e.Message);
            return new([], [], null, "The run queue cannot be reached; nothing was queued. Try again later.");
        }
        var runs = configs.Select(c => new TrainingRun(c, catalog, budget: Budget, owner: who)).ToArray();
        try
        {
            // Stored first, outside the lock (a locked database may take seconds to refuse): no ghost run if this fails.
            recorder?.Begin(runs, group);
        }
        catch (Storage.RunStoreUnavailableException e)
        {
            Unreserve(who, runs.Length);
            return new([], [], null, $"{e.Message}; nothing was queued. Try again later.");
        }
        catch
        {
            Unreserve(who, runs.Length); // the places are not lost to the owner's quota
            throw;
        }
        var durations = runs.Select(r => RunCostEstimate.For(r.Config, catalog.Entry(r.Config.Dataset)).ComputeSeconds).ToArray();
        if (cluster is not null) return EnqueueInCluster(who, runs, durations);
        lock (gate)
        {
            for (int i = 0; i < runs.Length; i++)
            {
                var run = runs[i];
                run.Notice += m => logger.LogInformation("Run {Id}: {Message}", run.Id, m);
                registry.Add(run);
                estimatedSeconds[run] = durations[i];
            }
            waiting.AddReserved(who, runs);
        }
        available.Release(runs.Length);
        Changed?.Invoke();
        foreach (var run in runs) logger.LogInformation("Run {Id} queued for {Owner}: {Tasks} {Strategy}", run.Id, run.Owner, run.Config.Tasks, run.Config.Strategy);
        return new(runs, [], null);
    }

    QueueRefusal? Reserve(string owner, int count)
    {
        if (cluster is not null) return cluster.Reserve(owner, count);
        lock (gate) return waiting.Reserve(owner, count);
    }

    void Unreserve(string owner, int count)
    {
        if (cluster is not null) cluster.Unreserve(owner, count);
        else lock (gate) waiting.Unreserve(owner, count);
    }

    /// <summary>The runs are stored: registered here, then submitted to the cluster's queue (which adopts them from the store should this fail).</summary>
    GroupSubmission EnqueueInCluster(string owner, TrainingRun[] runs, double[] durations)
    {
        foreach (var run in runs)
        {
            run.Notice += m => logger.LogInformation("Run {Id}: {Message}", run.Id, m);
            registry.Add(run);
        }
        try { cluster!.Enqueue(owner, runs, [.. runs.Select((r, i) => new QueuedRun(r.Id, RunStart.For(r, Budget), durations[i]))]); }
        catch (Exception e) { logger.LogError("Runs stored but not yet handed to the cluster's run queue ({Error}); it takes them from the store shortly", e.Message); }
        Changed?.Invoke();
        foreach (var run in runs) logger.LogInformation("Run {Id} queued in the cluster for {Owner}: {Tasks} {Strategy}", run.Id, run.Owner, run.Config.Tasks, run.Config.Strategy);
        return new(runs, [], null);
    }

    /// <summary>Why the run's events or end could not be saved (shown with the run), or null when all is stored.</summary>
    public string? RecordingError(TrainingRun run) => recorder?.RecordingError(run.Id);

    /// <summary>1-based place in the order runs will start (fair order, not arrival order), or null when the run is not waiting.</summary>
    public int? QueuePosition(TrainingRun run)
    {
        if (cluster is not null) return run.Status == RunStatus.Queued ? cluster.Position(run.Id) : null;
        lock (gate) return waiting.Position(run);
    }

    /// <summary>
    /// The run's place and about how long until it starts, or null when it is not waiting. The wait plays the queue
    /// forward: each worker is free once its running run's estimated time is up (RunCostEstimate, less what it has
    /// already run), and each run ahead in the start order goes to the worker that is free first. Estimates are scaled
    /// by how long finished runs actually took here relative to theirs.
    /// </summary>
    public QueueEstimate? Estimate(TrainingRun run)
    {
        var now = DateTimeOffset.UtcNow;
        if (cluster is not null)
        {
            if (QueuePosition(run) is not { } place) return null;
            var view = cluster.Current;
            if (place > view.Waiting.Length) return null;
            var started = view.Started.Select(r => Math.Max(0, view.SpeedFactor * r.EstimateSeconds - (now - r.StartedAt).TotalSeconds));
            var before = view.Waiting.Take(place - 1).Select(r => view.SpeedFactor * r.EstimateSeconds);
            return new QueueEstimate(place, QueuePlay.Wait(started, before, Workers));
        }
        lock (gate)
        {
            if (waiting.Position(run) is not { } position) return null;
            var busy = running.Select(r => Math.Max(0, speedFactor * estimatedSeconds.GetValueOrDefault(r) - (now - (r.StartedAt ?? now)).TotalSeconds));
            var ahead = waiting.InStartOrder().Take(position - 1).Select(r => speedFactor * estimatedSeconds.GetValueOrDefault(r));
            return new QueueEstimate(position, QueuePlay.Wait(busy, ahead, Workers));
        }
    }

    /// <summary>Runs waiting for a worker, all owners together.</summary>
    public int WaitingCount { get { if (cluster is not null) return cluster.Current.Waiting.Length; lock (gate) return waiting.Count; } }
    /// <summary>Runs the owner has waiting (<see cref="OwnerQuota"/> at most); null = the local user.</summary>
    public int WaitingOf(string? owner)
    {
        var who = owner ?? TrainingRun.LocalOwner;
        if (cluster is not null) return cluster.Current.Waiting.Count(r => r.Owner == who);
        lock (gate) return waiting.WaitingOf(who);
    }
    /// <summary>Runs training now (<see cref="Workers"/> at most).</summary>
    public int RunningCount { get { if (cluster is not null) return cluster.Current.Started.Length; lock (gate) return running.Count; } }

    /// <summary>Cancels a waiting run (it ends at once, with a cancelled event) or a running one (within one batch).</summary>
    public void Cancel(TrainingRun run)
    {
        if (cluster is not null)
        {
            try
            {
                // Waiting in the cluster's queue (whichever node submitted it): it leaves the queue and ends cancelled there.
                if (run.Status == RunStatus.Queued && cluster.CancelWaiting(run)) { Changed?.Invoke(); return; }
            }
            catch (Exception e) { logger.LogWarning("Run {Id}: the cluster's run queue did not take the cancel ({Error}); cancelling the run", run.Id, e.Message); }
            run.Control.Cancel(); // started: its copy passes the cancel on to its run grain
            return;
        }
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
            Changed?.Invoke();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A run's "not saved" notice appears or clears: pages that show runs redraw, as for queue changes.
        if (recorder is not null) recorder.RecordingChanged += _ => Changed?.Invoke();
        lifetime?.ApplicationStopping.Register(Stop);
        if (cluster is not null)
        {
            cluster.Changed += () => Changed?.Invoke();
            slots.Add(Task.Run(() => cluster.Follow(stopping.Token)));
            logger.LogInformation("Runs queue in the cluster's run queue");
            return Task.CompletedTask;
        }
        logger.LogInformation("{Workers} training slot(s)", Workers);
        for (int i = 0; i < Workers; i++) slots.Add(Task.Run(Slot));
        return Task.CompletedTask;
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
            Changed?.Invoke();
            try { await runHost.Train(run, Budget).ConfigureAwait(false); }
            catch (Exception e) { logger.LogError(e, "Run {Id} escaped its host's error handling", run.Id); }
            finally
            {
                lock (gate)
                {
                    running.Remove(run);
                    if (estimatedSeconds.Remove(run, out var estimate)) Calibrate(run, estimate);
                }
                Changed?.Invoke();
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
        if (cluster is not null)
        {
            // The cluster's runs go on without this node: its queued ones stay in the queue grain, its running ones on their workers.
            stopping.Cancel();
            return;
        }
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
