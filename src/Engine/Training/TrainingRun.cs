using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Engine.Training;

public enum RunStatus { Queued, Running, Finished, Failed, Cancelled, Interrupted }

/// <summary>
/// One run: its config, controls, event log and outcome. Execute() runs it to the end on the calling thread;
/// Start() gives it a dedicated thread. Whatever happens, the log ends with finished, failed or cancelled.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    readonly TaskCompletionSource<RunResult?> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Who a run belongs to when no one is named: the one local user of a personal dashboard or the CLI.</summary>
    public const string LocalOwner = "local";

    /// <param name="budget">The budget the run was admitted under (the edge's setting); null = RunBudget.Default.</param>
    /// <param name="owner">Who submitted the run (an opaque identity the host assigns); null = <see cref="LocalOwner"/>.</param>
    /// <param name="createdAt">When it was submitted, for a run stored before (queued again after a restart); null = now.</param>
    public TrainingRun(RunConfig config, DataSetCatalog catalog, string? id = null, RunBudget? budget = null, string? owner = null, DateTimeOffset? createdAt = null)
    {
        Owner = owner ?? LocalOwner;
        CreatedAt = createdAt ?? DateTimeOffset.UtcNow;
        ConfigValidator.ThrowIfInvalid(config, catalog, budget);
        Id = id ?? Guid.NewGuid().ToString("n")[..12];
        Config = config;
        Catalog = catalog;
        Events = new RunEventLog(Id);
        Control = new RunControl();
    }

    public string Id { get; }
    public RunConfig Config { get; }
    /// <summary>Who submitted the run: an opaque identity from the host, used for fairness and permissions, never trusted from a config.</summary>
    public string Owner { get; }
    public DataSetCatalog Catalog { get; }
    public RunEventLog Events { get; }
    public RunControl Control { get; }
    public RunStatus Status { get; private set; } = RunStatus.Queued;
    public RunResult? Result { get; private set; }
    /// <summary>Why the run failed, for users: one short sentence (≤ FailureMessage.MaxLength), no paths, no native frames.</summary>
    public string? Error { get; private set; }
    /// <summary>The full exception behind a failure, for the server log only (never shown to users).</summary>
    public Exception? FailureDetail { get; private set; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    /// <summary>Completes with the result, or null when the run failed or was cancelled.</summary>
    public Task<RunResult?> Completion => completion.Task;

    /// <summary>Messages about data loading (e.g. the offline fallback to bundled MNIST).</summary>
    public event Action<string>? Notice;

    public Thread Start()
    {
        var thread = new Thread(Execute) { IsBackground = true, Name = $"run-{Id}" };
        thread.Start();
        return thread;
    }

    public void Execute()
    {
        if (Control.IsCancellationRequested) { End(RunStatus.Cancelled, new RunEvent { RunId = Id, Kind = RunEventKind.Cancelled, Message = "Cancelled before it started." }); return; }
        Status = RunStatus.Running;
        StartedAt = DateTimeOffset.UtcNow;
        try
        {
            var data = Catalog.Load(Config.Dataset, m => Notice?.Invoke(m), ct: Control.Token);
            var result = Trainer.Run(Config, data, Events, Control);
            Result = result;
            End(RunStatus.Finished, new RunEvent { RunId = Id, Kind = RunEventKind.Finished, Result = result });
        }
        catch (OperationCanceledException) when (Control.IsCancellationRequested)
        {
            End(RunStatus.Cancelled, new RunEvent { RunId = Id, Kind = RunEventKind.Cancelled, Message = "Cancelled." });
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>
    /// For a copy of a run that trains elsewhere (the run grain, perhaps on another machine): it never executes here.
    /// Marks it running, as the host reports it started.
    /// </summary>
    public void MirrorStarted(DateTimeOffset at)
    {
        if (Status != RunStatus.Queued) return;
        Status = RunStatus.Running;
        StartedAt = at;
    }

    /// <summary>
    /// For a copy of a run that trains elsewhere: appends the host's events in order (ones already held are skipped, so a
    /// resumed stream may overlap) and follows its status, result and error from them.
    /// </summary>
    public void Mirror(IEnumerable<RunEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Seq <= Events.Count || Events.IsComplete) continue;
            if (e.Seq != Events.Count + 1) throw new InvalidOperationException($"Run {Id}: event {e.Seq} arrived after {Events.Count}; events were lost.");
            if (!e.IsTerminal) MirrorStarted(e.Time);
            Events.Append(e);
            if (!e.IsTerminal) continue;
            Result = e.Result;
            Error = e.Kind == RunEventKind.Failed ? e.Message : null;
            Status = e.Kind switch
            {
                RunEventKind.Finished => RunStatus.Finished,
                RunEventKind.Failed => e.Interrupted == true ? RunStatus.Interrupted : RunStatus.Failed,
                _ => RunStatus.Cancelled,
            };
            EndedAt = e.Time;
            completion.TrySetResult(Result);
        }
    }

    /// <summary>
    /// For a copy of a run that trains elsewhere: the host was lost mid-run. The log ends with a failed event saying so
    /// (every consumer sees an end), and the status is <see cref="RunStatus.Interrupted"/>. False when it had ended already.
    /// </summary>
    public bool MirrorInterrupted(string message)
    {
        if (Events.IsComplete) return false;
        try { Events.Append(RunEvent.InterruptedEnd(Id, message)); }
        catch (InvalidOperationException) when (Events.IsComplete) { return false; }
        Error = message;
        Result = null;
        Status = RunStatus.Interrupted;
        EndedAt = DateTimeOffset.UtcNow;
        completion.TrySetResult(null);
        return true;
    }

    void Fail(Exception e)
    {
        FailureDetail = e;
        Error = FailureMessage.For(e);
        Result = null;
        End(RunStatus.Failed, new RunEvent { RunId = Id, Kind = RunEventKind.Failed, Message = Error });
    }

    // The terminal event is appended before the status changes: when the log refuses it (say, a result holding a
    // non-finite number), the run fails instead and still ends with exactly one terminal event.
    void End(RunStatus status, RunEvent last)
    {
        try { Events.Append(last); }
        catch (Exception e) when (status != RunStatus.Failed)
        {
            Fail(e);
            return;
        }
        catch (InvalidOperationException) when (Events.IsComplete)
        {
            // Only a failed event can get here (it holds nothing but a short message): the log already has its one terminal event.
        }
        Status = status;
        EndedAt = DateTimeOffset.UtcNow;
        completion.TrySetResult(Result);
    }

    public void Dispose() => Control.Dispose();
}
