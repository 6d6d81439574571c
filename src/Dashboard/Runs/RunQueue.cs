using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Runs;

/// <summary>
/// What became of a submitted config: a queued run, validation errors, a full queue, or a run database that cannot be
/// written (<paramref name="StorageUnavailable"/>: the sentence to show; nothing was queued).
/// </summary>
public sealed record Submission(TrainingRun? Run, IReadOnlyList<ConfigError> Errors, bool QueueFull, string? StorageUnavailable = null)
{
    public bool Accepted => Run is not null;
}

/// <summary>What became of a group of configs (a sweep): all queued, or none, and why.</summary>
public sealed record GroupSubmission(IReadOnlyList<TrainingRun> Runs, IReadOnlyList<ConfigError> Errors, bool QueueFull, string? StorageUnavailable = null)
{
    public bool Accepted => Runs.Count > 0;
}

/// <summary>
/// The background engine: a bounded FIFO of runs and a fixed set of dedicated worker threads (TorchSharp dispose
/// scopes are thread-bound, so a run lives on one thread from start to end). Every edge (REST, hub, page) submits here.
/// </summary>
/// <param name="recorder">Stores each run before it is queued (the run history); none in tests that need no database.</param>
public sealed class RunQueue(IRunRegistry registry, DataSetCatalog catalog, IOptions<DashboardOptions> options, ILogger<RunQueue> logger,
    IRunRecorder? recorder = null)
    : IHostedService, IDisposable
{
    readonly DashboardOptions settings = options.Value;
    readonly LinkedList<TrainingRun> waiting = new();
    readonly HashSet<TrainingRun> running = [];
    readonly Lock gate = new();
    readonly SemaphoreSlim available = new(0);
    readonly CancellationTokenSource stopping = new();
    readonly List<Thread> workers = [];
    int stopped;
    int reserved; // places promised to submissions whose runs are being stored

    public DataSetCatalog Catalog => catalog;
    /// <summary>What one run (and one sweep, summed over its runs) may cost; from ContinualLearning:Budget.</summary>
    public RunBudget Budget { get; } = options.Value.Budget.ToRunBudget();
    public int Capacity => Math.Max(1, settings.QueueCapacity);

    /// <summary>Raised when a run is queued, starts, or leaves the queue (queue positions change).</summary>
    public event Action? Changed;

    /// <param name="owner">Who submits (the identity the server gave them); null = the local user of a personal dashboard.</param>
    public Submission Submit(RunConfig config, string? owner = null)
    {
        var group = SubmitAll([config], owner: owner);
        return new(group.Runs.FirstOrDefault(), group.Errors, group.QueueFull, group.StorageUnavailable);
    }

    /// <summary>
    /// Queues all the configs or none: each is validated, the queue must have room for all, and all are stored (with
    /// their group, when given) before any is registered or queued.
    /// </summary>
    public GroupSubmission SubmitAll(IReadOnlyList<RunConfig> configs, RunGroup? group = null, string? owner = null)
    {
        var errors = configs.SelectMany(c => ConfigValidator.Validate(c, catalog, Budget)).ToArray();
        if (errors.Length > 0) return new([], errors, false);
        lock (gate)
        {
            if (waiting.Count + reserved + configs.Count > Capacity) return new([], [], true);
            reserved += configs.Count;
        }
        var runs = configs.Select(c => new TrainingRun(c, catalog, budget: Budget, owner: owner)).ToArray();
        try
        {
            // Stored first, outside the lock (a locked database may take seconds to refuse): no ghost run if this fails.
            recorder?.Begin(runs, group);
        }
        catch (Storage.RunStoreUnavailableException e)
        {
            lock (gate) reserved -= configs.Count;
            return new([], [], false, $"{e.Message}; nothing was queued. Try again later.");
        }
        lock (gate)
        {
            reserved -= configs.Count;
            foreach (var run in runs)
            {
                run.Notice += m => logger.LogInformation("Run {Id}: {Message}", run.Id, m);
                registry.Add(run);
                waiting.AddLast(run);
            }
        }
        available.Release(runs.Length);
        Changed?.Invoke();
        foreach (var run in runs) logger.LogInformation("Run {Id} queued: {Tasks} {Strategy}", run.Id, run.Config.Tasks, run.Config.Strategy);
        return new(runs, [], false);
    }

    /// <summary>Why the run's events or end could not be saved (shown with the run), or null when all is stored.</summary>
    public string? RecordingError(TrainingRun run) => recorder?.RecordingError(run.Id);

    /// <summary>1-based place in the queue, or null when the run is not waiting.</summary>
    public int? QueuePosition(TrainingRun run)
    {
        lock (gate)
        {
            int position = 1;
            for (var node = waiting.First; node is not null; node = node.Next, position++)
                if (node.Value == run) return position;
            return null;
        }
    }

    public int WaitingCount { get { lock (gate) return waiting.Count; } }

    /// <summary>Cancels a waiting run (it ends at once, with a cancelled event) or a running one (within one batch).</summary>
    public void Cancel(TrainingRun run)
    {
        bool removed;
        lock (gate) removed = waiting.Remove(run);
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
        TorchSharp.torch.set_num_threads(settings.ResolvedTorchThreads());
        for (int i = 0; i < Math.Max(1, settings.Concurrency); i++)
        {
            var thread = new Thread(Work) { IsBackground = true, Name = $"training-worker-{i + 1}" };
            workers.Add(thread);
            thread.Start();
        }
        return Task.CompletedTask;
    }

    void Work()
    {
        while (true)
        {
            try { available.Wait(stopping.Token); }
            catch (OperationCanceledException) { return; }
            TrainingRun? run;
            lock (gate)
            {
                run = waiting.First?.Value;
                if (run is null) continue; // it was cancelled while waiting
                waiting.RemoveFirst();
                running.Add(run);
            }
            Changed?.Invoke();
            try { run.Execute(); }
            catch (Exception e) { logger.LogError(e, "Run {Id} escaped its own error handling", run.Id); }
            finally
            {
                lock (gate) running.Remove(run);
                Changed?.Invoke();
            }
            // Users see the short Error; the log gets the whole exception (native frames, paths) behind it.
            if (run.Status == RunStatus.Failed) logger.LogWarning(run.FailureDetail, "Run {Id} failed: {Error}", run.Id, run.Error);
            else logger.LogInformation("Run {Id} ended: {Status}", run.Id, run.Status);
        }
    }

    /// <summary>Shutdown: cancel everything, let the workers record the cancellations, then stop.</summary>
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
            queued = [.. waiting];
            started = [.. running];
            waiting.Clear();
        }
        foreach (var run in started) run.Control.Cancel();
        foreach (var run in queued) { run.Control.Cancel(); run.Execute(); }
        stopping.Cancel();
        foreach (var thread in workers) thread.Join(TimeSpan.FromSeconds(10));
        // stopping and available are left to the GC: a worker that outlived the join may still touch them.
    }
}
