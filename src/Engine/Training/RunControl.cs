namespace ContinualLearning.Engine.Training;

/// <summary>
/// Cancellation of one run, safe to call from any thread. The trainer checks in between batches (and long evaluations
/// and end-of-task work check the token), so a cancel takes effect within one batch.
/// </summary>
/// <remarks>
/// Training never waits for anyone: pace, pause and step are properties of each viewer (RunPlayback over the run's
/// event log), so one viewer pausing never holds the run or any other viewer.
/// </remarks>
public sealed class RunControl : IDisposable
{
    readonly CancellationTokenSource cancel = new();

    public CancellationToken Token => cancel.Token;
    public bool IsCancellationRequested => cancel.IsCancellationRequested;

    public void Cancel() => cancel.Cancel();

    /// <summary>Called by the trainer before each batch: throws when cancelled, otherwise returns at once.</summary>
    internal void BeforeStep() => Token.ThrowIfCancellationRequested();

    public void Dispose() => cancel.Dispose();
}
