using ContinualLearning.Engine.Events;

namespace ContinualLearning.Storage;

/// <summary>
/// Writes one run's events to the store while it goes: whatever accumulated since the last write goes in one
/// transaction, at most every flush interval, so a crash loses at most about that much and writing never
/// holds up training (the trainer only appends to the in-memory log).
/// A write that fails never reaches the run: the events wait and go with the next batch; the end of the run is
/// retried with backoff (<see cref="RetryDelays"/>), and if the database stays unwritable the recording gives up with
/// <see cref="Error"/> set, keeping the unsaved events so <see cref="TrySaveRest"/> can store them once the database is
/// back. Never faults.
/// </summary>
public sealed class RunRecording
{
    public static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromMilliseconds(250);
    /// <summary>Waits between attempts to store the end of a run (about 2 minutes in all).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
        [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)];

    readonly IRunStore store;
    readonly Lock gate = new(); // held while writing (seconds, when the database is locked)
    readonly Lock nudgeGate = new(); // so a nudge never waits for a write
    readonly List<RunEvent> unsaved = [];
    TaskCompletionSource nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RunRecording(IRunStore store, RunEventLog log, TimeSpan flushInterval, IReadOnlyList<TimeSpan> retryDelays, CancellationToken stop)
    {
        this.store = store;
        RunId = log.RunId;
        RetryDelays = retryDelays;
        Completion = Task.Run(() => WriteAsync(log, flushInterval, stop));
    }

    public string RunId { get; }
    public IReadOnlyList<TimeSpan> RetryDelays { get; }
    /// <summary>
    /// Completes when the terminal event is stored (<see cref="Saved"/>), the run was deleted, the recording gave up
    /// (<see cref="Error"/> set) or it was stopped. Never faults.
    /// </summary>
    public Task Completion { get; }
    /// <summary>The whole run, end included, is in the database.</summary>
    public bool Saved { get; private set; }
    /// <summary>The run was deleted from the database while it was recorded; its events were dropped.</summary>
    public bool Deleted { get; private set; }
    /// <summary>Why the last write failed, one sentence for users (no paths); null while everything is stored.</summary>
    public string? Error { get; private set; }
    /// <summary>The last write failure with its detail, for the log.</summary>
    public Exception? LastFailure { get; private set; }
    /// <summary>Writes that failed so far.</summary>
    public int FailedWrites { get; private set; }
    /// <summary>Batches (transactions) written so far.</summary>
    public int Batches { get; private set; }
    /// <summary>Time spent writing batches (serialising and committing), off the training thread.</summary>
    public TimeSpan WriteTime { get; private set; }

    /// <summary>Raised (on the recorder's thread) when <see cref="Error"/> changes: a write failed, or storing works again.</summary>
    public event Action<RunRecording>? ErrorChanged;

    /// <summary>Retry the end now instead of after the current backoff (e.g. the health check just wrote successfully).</summary>
    public void Nudge()
    {
        lock (nudgeGate) nudge.TrySetResult();
    }

    /// <summary>
    /// After the recording gave up: stores what is still unsaved (the end included), if the database can be written
    /// again. True when the run is now fully stored (or was deleted).
    /// </summary>
    public bool TrySaveRest() => Completion.IsCompleted && Write() != Outcome.Failed && (Saved || Deleted);

    enum Outcome { Written, Deleted, Failed }

    async Task WriteAsync(RunEventLog log, TimeSpan flushInterval, CancellationToken stop)
    {
        try
        {
            // Events pile up into one batch per flush interval; the end of the run comes at once.
            await foreach (var chunk in log.FollowAsync(1, flushInterval, stop).ConfigureAwait(false))
            {
                lock (gate) unsaved.AddRange(chunk);
                if (chunk[^1].IsTerminal) break;
                if (Write() == Outcome.Deleted) return;
            }
            // The end of the run: retried with backoff, so a transient fault still stores the final status.
            for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
            {
                if (Write() != Outcome.Failed || attempt == RetryDelays.Count) return;
                Task woken;
                lock (nudgeGate) woken = (nudge = new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                await Task.WhenAny(Task.Delay(RetryDelays[attempt], stop), woken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    Outcome Write()
    {
        Outcome outcome;
        bool errorChanged;
        lock (gate)
        {
            if (unsaved.Count == 0) return Outcome.Written;
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // An end already stored, or one this copy cannot place, is not this recording's to write: done either way.
                outcome = store.AppendEvents(RunId, unsaved) == AppendResult.UnknownRun ? Outcome.Deleted : Outcome.Written;
                WriteTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
            }
            catch (Exception e)
            {
                // Anything a write throws stays here: the run, its other consumers and the server go on.
                outcome = Outcome.Failed;
                FailedWrites++;
                LastFailure = e;
            }
            var error = outcome == Outcome.Failed ? Sentence(LastFailure!) : null;
            errorChanged = error != Error;
            Error = error;
            if (outcome == Outcome.Deleted) { Deleted = true; unsaved.Clear(); }
            if (outcome == Outcome.Written)
            {
                Batches++;
                Saved = unsaved[^1].IsTerminal;
                unsaved.Clear();
            }
        }
        if (errorChanged) ErrorChanged?.Invoke(this);
        return outcome;
    }

    static string Sentence(Exception e) =>
        $"This run is not saved: the run database cannot be written ({(e is RunStoreUnavailableException u ? u.Reason : "an unexpected storage error")}). " +
        "It is kept in memory and saved when the database can be written again; if the server stops first, the history will show it as interrupted.";
}
