using System.Diagnostics;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// Cancel, pause/resume and pace for one run, safe to call from any thread. The trainer checks in between batches,
/// so every request takes effect within one batch.
/// </summary>
public sealed class RunControl : IDisposable
{
    readonly CancellationTokenSource cancel = new();
    readonly ManualResetEventSlim running = new(initialState: true);
    readonly Lock gate = new();
    readonly Stopwatch clock = Stopwatch.StartNew();
    double pace;
    long anchorStep = -1;
    TimeSpan anchorTime;

    public RunControl(double pace = 0) => this.pace = pace;

    public CancellationToken Token => cancel.Token;
    public bool IsPaused => !running.IsSet;
    public bool IsCancellationRequested => cancel.IsCancellationRequested;

    /// <summary>Maximum training steps per second; 0 = full speed. Changeable while the run goes.</summary>
    public double Pace
    {
        get { lock (gate) return pace; }
        set { lock (gate) { pace = Math.Max(0, value); anchorStep = -1; } }
    }

    public void Cancel() => cancel.Cancel();
    public void Pause() => running.Reset();
    public void Resume() { lock (gate) anchorStep = -1; running.Set(); }

    /// <summary>Called by the trainer before each batch: throws when cancelled, waits while paused, holds the pace.</summary>
    internal void BeforeStep(long step)
    {
        Token.ThrowIfCancellationRequested();
        if (!running.IsSet)
        {
            running.Wait(Token);
            lock (gate) anchorStep = -1;
        }
        TimeSpan wait;
        lock (gate)
        {
            if (pace <= 0) return;
            if (anchorStep < 0) { anchorStep = step; anchorTime = clock.Elapsed; return; }
            wait = anchorTime + TimeSpan.FromSeconds((step - anchorStep) / pace) - clock.Elapsed;
        }
        // A rate limit, not synchronisation: the wait ends early on cancel.
        if (wait > TimeSpan.Zero) Token.WaitHandle.WaitOne(wait);
        Token.ThrowIfCancellationRequested();
    }

    public void Dispose() { cancel.Dispose(); running.Dispose(); }
}
