using System.Diagnostics;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// Cancel, pause/resume and pace for one run, safe to call from any thread. The trainer checks in between batches
/// (and long evaluations and end-of-task work check the token), so every request takes effect within one batch.
/// </summary>
public sealed class RunControl : IDisposable
{
    /// <summary>A pace wait sleeps at most this long at a time, then looks again: so any pace, however small, only ever waits.</summary>
    static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(1);

    readonly CancellationTokenSource cancel = new();
    readonly ManualResetEventSlim running = new(initialState: true);
    // Wakes a pace wait when the pace changes or the run is paused, so the new setting acts at once.
    readonly AutoResetEvent changed = new(initialState: false);
    readonly Lock gate = new();
    readonly Stopwatch clock = Stopwatch.StartNew();
    double pace;
    long anchorStep = -1;
    TimeSpan anchorTime;

    public RunControl(double pace = 0) => Pace = pace;

    public CancellationToken Token => cancel.Token;
    public bool IsPaused => !running.IsSet;
    public bool IsCancellationRequested => cancel.IsCancellationRequested;

    /// <summary>Maximum training steps per second; 0 = full speed. Changeable while the run goes; NaN and negatives mean 0.</summary>
    public double Pace
    {
        get { lock (gate) return pace; }
        set
        {
            lock (gate) { pace = double.IsNaN(value) ? 0 : Math.Max(0, value); anchorStep = -1; }
            Wake();
        }
    }

    public void Cancel() => cancel.Cancel();
    public void Pause() { running.Reset(); Wake(); }

    // The run may have ended (and its control been disposed) while someone still turns a knob: nothing to wake then.
    void Wake()
    {
        try { changed.Set(); }
        catch (ObjectDisposedException) { }
    }
    public void Resume() { lock (gate) anchorStep = -1; running.Set(); }

    /// <summary>Called by the trainer before each batch: throws when cancelled, waits while paused, holds the pace.</summary>
    internal void BeforeStep(long step)
    {
        while (true)
        {
            Token.ThrowIfCancellationRequested();
            if (!running.IsSet)
            {
                running.Wait(Token);
                lock (gate) anchorStep = -1;
            }
            double waitSeconds;
            lock (gate)
            {
                if (pace <= 0) return;
                if (anchorStep < 0) { anchorStep = step; anchorTime = clock.Elapsed; return; }
                // In doubles: a tiny pace gives a huge (even infinite) due time, which TimeSpan cannot hold.
                waitSeconds = anchorTime.TotalSeconds + (step - anchorStep) / pace - clock.Elapsed.TotalSeconds;
            }
            if (!(waitSeconds > 0)) return;
            // A rate limit, not synchronisation: the wait ends early on cancel, pause or a new pace, and is re-checked.
            var sleep = waitSeconds >= LongestSleep.TotalSeconds ? LongestSleep : TimeSpan.FromSeconds(waitSeconds);
            WaitHandle.WaitAny([Token.WaitHandle, changed], sleep);
        }
    }

    public void Dispose() { cancel.Dispose(); running.Dispose(); changed.Dispose(); }
}
