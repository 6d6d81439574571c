using System.Runtime.CompilerServices;

namespace ContinualLearning.Engine.Events;

/// <summary>
/// A stream of a run's events delivered at a viewer's pace: the event of step s leaves (s − s₀) / pace seconds after
/// the first one. Waiting is asynchronous (no thread is held), and only this reader waits: the run and every other
/// reader of its log go on. When the source is slower than the pace (a live run computing), each event leaves as it
/// arrives and the pace continues from there, so a late burst is not fast-forwarded.
/// </summary>
public static class PacedEvents
{
    /// <summary>An event this late means the source (not a timer's jitter) held it: the pace restarts from it.</summary>
    static readonly TimeSpan LateBy = TimeSpan.FromMilliseconds(100);

    /// <param name="pace">Steps per second; 0 = as fast as the source gives them (the source unchanged).</param>
    public static IAsyncEnumerable<RunEvent> At(IAsyncEnumerable<RunEvent> source, double pace, TimeProvider? time = null, CancellationToken ct = default) =>
        double.IsFinite(pace) && pace > 0 ? Paced(source, pace, time ?? TimeProvider.System, ct) : source;

    static async IAsyncEnumerable<RunEvent> Paced(IAsyncEnumerable<RunEvent> source, double pace, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        long? anchorStep = null;
        long anchorTimestamp = 0;
        long step = 0;
        await foreach (var e in source.WithCancellation(ct).ConfigureAwait(false))
        {
            step = e.Step ?? step; // started and the end belong to the step before them (as in RunPlayback)
            if (anchorStep is null) { anchorStep = step; anchorTimestamp = time.GetTimestamp(); }
            var due = TimeSpan.FromSeconds((step - anchorStep.Value) / pace) - time.GetElapsedTime(anchorTimestamp);
            if (due > TimeSpan.Zero) await Task.Delay(due, time, ct).ConfigureAwait(false);
            else if (due < -LateBy) { anchorStep = step; anchorTimestamp = time.GetTimestamp(); } // the source was late: go on from here
            yield return e;
        }
    }
}
