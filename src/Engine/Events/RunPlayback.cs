namespace ContinualLearning.Engine.Events;

/// <summary>
/// One viewer's position in a run's event log: what a browser tab (or any other viewer) shows is the run "as of step k",
/// the events 1..<see cref="ShownCount"/>. The view plays forward at the viewer's own pace (steps per second; 0 = as fast
/// as events are available), can be paused, stepped ±1 and moved to any step already computed. Training never waits
/// for it: events are only added here, and a run slower than the pace is simply shown as it computes.
/// </summary>
/// <remarks>
/// Not thread-safe: one playback belongs to one viewer and is used on that viewer's dispatcher. Every event belongs to a
/// step — its own Step, or (started, the end) the step of the event before it, 0 at first — so "as of step k" is a prefix
/// of the log: all events whose step is at most k, which includes the end of the run once k is its last step.
/// </remarks>
public sealed class RunPlayback
{
    readonly List<RunEvent> events = [];
    readonly List<long> steps = [];
    readonly TimeProvider time;
    double pace;
    double anchorStep;
    long anchorTimestamp;

    /// <param name="pace">Steps per second to play at; 0 (or NaN, negative) = as fast as available.</param>
    public RunPlayback(double pace, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        this.pace = Sanitize(pace);
        anchorTimestamp = this.time.GetTimestamp();
    }

    /// <summary>Events known so far (seq 1..n, in order), shown or not.</summary>
    public IReadOnlyList<RunEvent> Events => events;
    /// <summary>How many events the view shows: seq 1 to this.</summary>
    public int ShownCount { get; private set; }
    /// <summary>The step the view stands on (0 before anything is shown).</summary>
    public long ViewStep => ShownCount == 0 ? 0 : steps[ShownCount - 1];
    /// <summary>The last step computed so far (what the timeline can reach).</summary>
    public long LastStep => steps.Count == 0 ? 0 : steps[^1];
    public bool IsPaused { get; private set; }
    /// <summary>The run has ended (its terminal event is known).</summary>
    public bool IsComplete => events.Count > 0 && events[^1].IsTerminal;
    /// <summary>The view shows every event known: it is at the live edge (or the end of a finished run).</summary>
    public bool AtEnd => ShownCount == events.Count;

    /// <summary>Steps per second; 0 = as fast as available. A change takes effect from where the view stands.</summary>
    public double Pace
    {
        get => pace;
        set { Advance(); pace = Sanitize(value); Anchor(); }
    }

    /// <summary>Adds the next events of the log (seq must continue where the known events end).</summary>
    public void Add(IEnumerable<RunEvent> more)
    {
        foreach (var e in more)
        {
            if (e.Seq != events.Count + 1) throw new InvalidOperationException($"Event {e.Seq} after {events.Count}: the stream has a gap.");
            steps.Add(e.Step ?? (steps.Count == 0 ? 0 : steps[^1]));
            events.Add(e);
        }
    }

    /// <summary>
    /// Moves the view on by the time passed since it was last anchored, at the pace (all known events at pace 0), unless
    /// paused. At the live edge the view waits there, re-anchored, so events computed later play on from the edge at the
    /// pace rather than in a burst. Returns <see cref="ShownCount"/>.
    /// </summary>
    public int Advance()
    {
        if (IsPaused) return ShownCount;
        if (pace <= 0) { ShownCount = events.Count; return ShownCount; }
        double target = anchorStep + time.GetElapsedTime(anchorTimestamp).TotalSeconds * pace;
        if (target >= LastStep)
        {
            ShownCount = events.Count;
            Anchor();
        }
        else ShownCount = Math.Max(ShownCount, CountUpTo((long)Math.Floor(target)));
        return ShownCount;
    }

    public void Pause()
    {
        Advance();
        IsPaused = true;
    }

    public void Resume()
    {
        IsPaused = false;
        Anchor();
    }

    /// <summary>Shows the run as of step k (clamped to the steps computed so far); playing goes on from there.</summary>
    public void SeekToStep(long step)
    {
        ShownCount = CountUpTo(Math.Clamp(step, 0, LastStep));
        Anchor();
    }

    /// <summary>Pauses and shows the next step computed after the one in view (at the live edge: stays).</summary>
    public void StepForward()
    {
        Pause();
        if (ShownCount < events.Count) SeekToStep(steps[ShownCount]);
    }

    /// <summary>Pauses and shows the step before the one in view (at step 0: stays).</summary>
    public void StepBack()
    {
        Pause();
        long current = ViewStep;
        int before = CountUpTo(current - 1);
        SeekToStep(before == 0 ? 0 : steps[before - 1]);
    }

    /// <summary>Number of known events whose step is at most k: the view "as of step k".</summary>
    public int CountUpTo(long step)
    {
        if (step < 0) return 0;
        // Steps never decrease along the log: binary search for the first event past k.
        int lo = 0, hi = steps.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (steps[mid] <= step) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    void Anchor()
    {
        anchorStep = ViewStep;
        anchorTimestamp = time.GetTimestamp();
    }

    static double Sanitize(double value) => double.IsFinite(value) && value > 0 ? value : 0;
}
