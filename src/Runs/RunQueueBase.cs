using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Logging;

namespace ContinualLearning.Runs;

/// <summary>
/// What both queues share: admission (validate, reserve places, store the runs, give the places back when storing
/// fails), the limits and budget from the settings, and the wait estimate. A queue says how it reserves and where
/// admitted runs go (<see cref="Reserve"/>, <see cref="Unreserve"/>, <see cref="Enqueue"/>) and how it reads its order.
/// </summary>
/// <param name="recorder">Stores each run before it is queued (the run history); none in tests that need no database.</param>
public abstract class RunQueueBase(IRunRegistry registry, DataSetCatalog catalog, DashboardOptions settings, ILogger logger, IRunRecorder? recorder)
    : IRunQueue
{
    public DataSetCatalog Catalog => catalog;
    public RunBudget Budget { get; } = settings.Budget.ToRunBudget();
    public int Capacity { get; } = Math.Max(1, settings.QueueCapacity);
    public int OwnerQuota { get; } = Math.Max(1, settings.OwnerQueueQuota);
    public int MaxGroup => Math.Min(Capacity, OwnerQuota);
    public abstract int Workers { get; }
    public abstract int WaitingCount { get; }
    public abstract int RunningCount { get; }

    public event Action? Changed;

    protected IRunRegistry Registry => registry;
    protected IRunRecorder? Recorder => recorder;
    protected ILogger Logger => logger;
    /// <summary>Workers of this process (ContinualLearning:Concurrency, one per core by default).</summary>
    protected int LocalWorkers { get; } = Math.Max(1, settings.ResolvedConcurrency());

    public async Task<Submission> SubmitAsync(RunConfig config, string? owner = null)
    {
        var group = await SubmitAllAsync([config], owner: owner);
        return new(group.Runs.FirstOrDefault(), group.Errors, group.Refused, group.StorageUnavailable);
    }

    public async Task<GroupSubmission> SubmitAllAsync(IReadOnlyList<RunConfig> configs, RunGroup? group = null, string? owner = null)
    {
        var errors = configs.SelectMany(c => ConfigValidator.Validate(c, catalog, Budget)).ToArray();
        if (errors.Length > 0 || configs.Count == 0) return new([], errors, null);
        var who = owner ?? TrainingRun.LocalOwner;
        try
        {
            // Places are reserved while the runs are stored, so a concurrent submission cannot take them meanwhile.
            if (await ReserveAsync(who, configs.Count) is { } refusal) return new([], [], refusal);
        }
        catch (RunQueueUnreachableException)
        {
            return new([], [], null, RunQueueUnreachableException.Sentence);
        }
        var runs = configs.Select(c => new TrainingRun(c, catalog, budget: Budget, owner: who)).ToArray();
        try
        {
            // Stored first, outside any lock (a locked database may take seconds to refuse): no ghost run if this fails.
            recorder?.Begin(runs, group);
        }
        catch (Storage.RunStoreUnavailableException e)
        {
            await UnreserveAsync(who, runs.Length);
            return new([], [], null, $"{e.Message}; nothing was queued. Try again later.");
        }
        catch
        {
            await UnreserveAsync(who, runs.Length); // the places are not lost to the owner's quota
            throw;
        }
        var durations = runs.Select(r => EstimateOf(r.Config)).ToArray();
        await EnqueueAsync(who, runs, durations);
        OnChanged();
        foreach (var run in runs) logger.LogInformation("Run {Id} queued for {Owner}: {Tasks} {Strategy}", run.Id, run.Owner, run.Config.Tasks, run.Config.Strategy);
        return new(runs, [], null);
    }

    /// <summary>Reserves places for runs about to be stored, or says which limit refuses them. Throws <see cref="RunQueueUnreachableException"/> when the queue cannot be asked.</summary>
    protected abstract Task<QueueRefusal?> ReserveAsync(string owner, int count);
    /// <summary>Gives back places reserved for runs that could not be stored.</summary>
    protected abstract Task UnreserveAsync(string owner, int count);
    /// <summary>Registers and queues runs now stored, into the places reserved for them; <paramref name="durations"/>: each one's estimated training time.</summary>
    protected abstract Task EnqueueAsync(string owner, TrainingRun[] runs, double[] durations);

    /// <summary>Makes a run this node's copy: found by the pages, hub and REST, its data-loading notices logged.</summary>
    protected void Register(TrainingRun run)
    {
        run.Notice += m => logger.LogInformation("Run {Id}: {Message}", run.Id, m);
        registry.Add(run);
    }

    /// <summary>How long a run of this config holds a worker (<see cref="RunCostEstimate"/>); 0 when its data set is unknown here.</summary>
    protected double EstimateOf(RunConfig config)
    {
        try { return RunCostEstimate.For(config, catalog.Entry(config.Dataset)).ComputeSeconds; }
        catch (Exception) { return 0; }
    }

    public string? RecordingError(TrainingRun run) => recorder?.RecordingError(run.Id);

    public abstract int? QueuePosition(TrainingRun run);
    public abstract QueueEstimate? Estimate(TrainingRun run);
    public abstract int WaitingOf(string? owner);
    public abstract Task CancelAsync(TrainingRun run);

    /// <summary>
    /// The estimate for the run at <paramref name="position"/>: each worker is free once its running run's estimated time
    /// is up (less what it has already run), and each run ahead in the start order goes to the worker that is free first.
    /// Estimates are scaled by <paramref name="speedFactor"/> (measured ÷ estimated time of runs that finished).
    /// </summary>
    protected QueueEstimate EstimateAt(int position, double speedFactor, IEnumerable<(double EstimateSeconds, DateTimeOffset StartedAt)> running,
        IEnumerable<double> aheadEstimates)
    {
        var now = DateTimeOffset.UtcNow;
        var busy = running.Select(r => Math.Max(0, speedFactor * r.EstimateSeconds - (now - r.StartedAt).TotalSeconds));
        return new(position, QueuePlay.Wait(busy, aheadEstimates.Select(s => speedFactor * s), Workers));
    }

    /// <summary>Call once, on start: a run's "not saved" notice appearing or clearing redraws the pages that show runs, as queue changes do.</summary>
    protected void ForwardRecordingChanges()
    {
        if (recorder is not null) recorder.RecordingChanged += _ => OnChanged();
    }

    protected void OnChanged() => Changed?.Invoke();
}

/// <summary>The cluster's run queue could not be asked (it may be moving to another silo); nothing was queued.</summary>
public sealed class RunQueueUnreachableException(Exception cause) : Exception(Sentence, cause)
{
    public const string Sentence = "The run queue cannot be reached; nothing was queued. Try again later.";
}
