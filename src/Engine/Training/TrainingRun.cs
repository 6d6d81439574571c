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
    public TrainingRun(RunConfig config, DataSetCatalog catalog, string? id = null, RunBudget? budget = null, string? owner = null)
    {
        Owner = owner ?? LocalOwner;
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
    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;
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
