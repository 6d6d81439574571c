using System.Runtime.CompilerServices;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ContinualLearning.Runs;

/// <summary>
/// Trains one run. TorchSharp's dispose scopes are bound to a thread, and a run computes for minutes, so the run gets a
/// dedicated thread (a long-running task on the default scheduler), never Orleans' scheduler; the event log it appends
/// to is thread-safe and every watcher reads it at its own position. The run is recorded here, where it trains
/// (<see cref="RunRecordings"/>), so the web node that submitted it may die without losing any of it. Reentrant:
/// watchers, cancel and start interleave.
/// </summary>
[Reentrant]
public sealed class RunGrain(DataSetCatalog catalog, WorkerSlots slots, RunRecordings recordings, RunStreamInterval streamInterval,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>How long an ended run's activation stays to serve late watchers (the history is in the database too).</summary>
    static readonly TimeSpan KeepAfterEnd = TimeSpan.FromMinutes(2);

    TrainingRun? run;
    Task training = Task.CompletedTask;

    public Task Start(RunStart start)
    {
        if (run is not null) return Task.CompletedTask;
        var id = this.GetPrimaryKeyString();
        run = new TrainingRun(start.Config(), catalog, id, start.Budget(), start.Owner);
        run.Notice += m => logger.LogInformation("Run {Id}: {Message}", id, m);
        logger.LogInformation("Run {Id} placed on this worker", id);
        DelayDeactivation(TimeSpan.FromDays(1)); // the activation is the run: it stays while it trains
        recordings.Follow(run); // from its first event; the web node stored it as queued before queueing it
        var trained = run;
        slots.Assign();
        training = Task.Factory.StartNew(() => Train(trained), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    void Train(TrainingRun trained)
    {
        try
        {
            // Waits here, on the run's own thread, when more runs were placed on this worker than it has slots.
            IDisposable? slot = null;
            try { slot = slots.Take(trained.Control.Token); }
            catch (OperationCanceledException) { } // cancelled while waiting: Execute records just the cancelled event
            using (slot) trained.Execute();
        }
        catch (Exception e) { logger.LogError(e, "Run {Id} escaped its own error handling", trained.Id); }
        finally { slots.Unassign(); }
        // Users see the short Error; the log gets the whole exception (native frames, paths) behind it.
        if (trained.Status == RunStatus.Failed) logger.LogWarning(trained.FailureDetail, "Run {Id} failed: {Error}", trained.Id, trained.Error);
        else logger.LogInformation("Run {Id} ended: {Status}", trained.Id, trained.Status);
    }

    public Task Cancel()
    {
        run?.Control.Cancel();
        return Task.CompletedTask;
    }

    public Task<RecordingState?> Recording() => Task.FromResult(recordings.State(this.GetPrimaryKeyString()));

    public async IAsyncEnumerable<string> Watch(long fromSeq, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (run is not { } watched) yield break;
        await foreach (var chunk in watched.Events.FollowAsync(fromSeq, streamInterval.Value, cancellationToken))
            yield return JsonSerializer.Serialize(chunk, EngineJson.Options);
        if (watched.Events.IsComplete) DelayDeactivation(KeepAfterEnd);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The silo stops: the run ends as cancelled (and its watchers see that) rather than vanishing mid-step.
        run?.Control.Cancel();
        await training.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        run?.Dispose();
    }
}

/// <summary>
/// How often a run grain sends a watching node the live events that accumulated, as one chunk: a step event each few
/// milliseconds would otherwise be a grain message each. The end of the run leaves at once.
/// </summary>
public sealed record RunStreamInterval(TimeSpan Value)
{
    /// <summary>One process: a chunk is a call inside it; 50 ms keeps the hub's watchers close behind training.</summary>
    public static readonly RunStreamInterval OneProcess = new(TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// A cluster: each chunk is a request and a response between two nodes and wakes threads on both, which on two busy
    /// cores costs the training threads (docs/benchmarks.md, cluster section, session 19), so 10 a second: still twice
    /// the live page's redraw.
    /// </summary>
    public static readonly RunStreamInterval Cluster = new(TimeSpan.FromMilliseconds(100));
}
