using ContinualLearning.Engine.Events;

namespace ContinualLearning.Engine.Tests;

/// <summary>RunPlayback: one viewer's position in a run's event log, at its own pace, paused, stepped and moved.</summary>
public class RunPlaybackTests
{
    /// <summary>A clock that moves only when told, so pacing is tested without waiting.</summary>
    sealed class ManualTime : TimeProvider
    {
        long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public void Advance(double seconds) => ticks += TimeSpan.FromSeconds(seconds).Ticks;
    }

    /// <summary>A run's log shape: started, taskStarted and an evaluation at step 0, then steps with an evaluation every 10th.</summary>
    static List<RunEvent> Log(long lastStep, bool finished)
    {
        var log = new List<RunEvent> { E(RunEventKind.Started, null), E(RunEventKind.TaskStarted, 0), E(RunEventKind.Evaluation, 0) };
        for (long s = 1; s <= lastStep; s++)
        {
            log.Add(E(RunEventKind.Step, s));
            if (s % 10 == 0) log.Add(E(RunEventKind.Evaluation, s));
        }
        if (finished) { log.Add(E(RunEventKind.TaskFinished, lastStep)); log.Add(E(RunEventKind.Finished, null)); }
        return log.Select((e, i) => e with { Seq = i + 1 }).ToList();
    }

    static RunEvent E(RunEventKind kind, long? step) => new() { RunId = "r", Kind = kind, Step = step, Loss = kind == RunEventKind.Step ? 1 : null };

    [Fact]
    public void Plays_at_its_pace_from_step_zero()
    {
        var time = new ManualTime();
        var playback = new RunPlayback(10, time);
        playback.Add(Log(100, finished: true));
        playback.Advance();
        Assert.Equal(0, playback.ViewStep);
        Assert.Equal(3, playback.ShownCount); // started, taskStarted, the first evaluation
        time.Advance(1);
        playback.Advance();
        Assert.Equal(10, playback.ViewStep);
        time.Advance(2.05);
        playback.Advance();
        Assert.Equal(30, playback.ViewStep);
        Assert.False(playback.AtEnd);
        time.Advance(60);
        playback.Advance();
        Assert.True(playback.AtEnd);
        Assert.Equal(RunEventKind.Finished, playback.Events[playback.ShownCount - 1].Kind);
    }

    [Fact]
    public void Pace_zero_shows_everything_known_at_once()
    {
        var playback = new RunPlayback(0, new ManualTime());
        playback.Add(Log(50, finished: false));
        Assert.Equal(playback.Events.Count, playback.Advance());
    }

    [Fact]
    public void A_paused_view_stays_where_it_is_while_the_run_computes_on()
    {
        var time = new ManualTime();
        var playback = new RunPlayback(0, time);
        var log = Log(100, finished: true);
        playback.Add(log.Take(20));
        playback.Advance();
        long pausedAt = playback.ViewStep;
        playback.Pause();
        playback.Add(log.Skip(20));
        time.Advance(30);
        Assert.Equal(20, playback.Advance());
        Assert.Equal(pausedAt, playback.ViewStep);
        Assert.True(playback.IsPaused);
        playback.Resume();
        Assert.Equal(log.Count, playback.Advance());
    }

    [Fact]
    public void A_run_slower_than_the_pace_is_shown_live_and_later_steps_play_on_from_the_edge()
    {
        var time = new ManualTime();
        var playback = new RunPlayback(10, time);
        var log = Log(100, finished: true);
        int upToStep5 = log.FindLastIndex(e => e.Step == 5) + 1;
        playback.Add(log.Take(upToStep5));
        time.Advance(2); // the pace would be at step 20: only 5 are computed
        playback.Advance();
        Assert.True(playback.AtEnd);
        Assert.Equal(5, playback.ViewStep);
        playback.Add(log.Skip(upToStep5)); // the rest arrives in a burst
        time.Advance(1);
        playback.Advance();
        Assert.Equal(15, playback.ViewStep); // one second at 10 steps/s from the edge, not a jump to the end
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(99)]
    public void Seeking_to_step_k_shows_exactly_the_events_up_to_k(long k)
    {
        var log = Log(100, finished: true);
        var playback = new RunPlayback(5, new ManualTime());
        playback.Add(log);
        playback.SeekToStep(k);
        var expected = log.TakeWhile(e => e.Step is null || e.Step <= k).ToList();
        if (k < 100) Assert.Equal(expected.Count, playback.ShownCount);
        Assert.Equal(k, playback.ViewStep);
        Assert.All(playback.Events.Take(playback.ShownCount), e => Assert.True(e.Step is null || e.Step <= k));
        Assert.True(playback.Events.Skip(playback.ShownCount).All(e => e.Step > k || e.Kind == RunEventKind.Finished));
    }

    [Fact]
    public void Seeking_to_the_last_step_shows_the_end_and_beyond_it_clamps()
    {
        var log = Log(100, finished: true);
        var playback = new RunPlayback(5, new ManualTime());
        playback.Add(log);
        playback.SeekToStep(1_000_000);
        Assert.Equal(log.Count, playback.ShownCount);
        Assert.True(playback.IsComplete);
        playback.SeekToStep(-5);
        Assert.Equal(0, playback.ViewStep);
        Assert.Equal(3, playback.ShownCount);
    }

    [Fact]
    public void Stepping_pauses_and_moves_one_step_each_way()
    {
        var time = new ManualTime();
        var playback = new RunPlayback(10, time);
        playback.Add(Log(100, finished: true));
        playback.SeekToStep(10);
        playback.StepForward();
        Assert.True(playback.IsPaused);
        Assert.Equal(11, playback.ViewStep);
        playback.StepBack();
        playback.StepBack();
        Assert.Equal(9, playback.ViewStep);
        time.Advance(10);
        playback.Advance();
        Assert.Equal(9, playback.ViewStep); // stepping paused the view
        playback.SeekToStep(0);
        playback.StepBack();
        Assert.Equal(0, playback.ViewStep);
        Assert.Equal(3, playback.ShownCount);
    }

    [Fact]
    public void Changing_the_pace_goes_on_from_where_the_view_stands()
    {
        var time = new ManualTime();
        var playback = new RunPlayback(10, time);
        playback.Add(Log(100, finished: true));
        time.Advance(1);
        playback.Pace = 40;
        Assert.Equal(10, playback.ViewStep);
        time.Advance(1);
        playback.Advance();
        Assert.Equal(50, playback.ViewStep);
        playback.Pace = double.NaN; // not a pace: as fast as available
        Assert.Equal(0, playback.Pace);
        playback.Advance();
        Assert.True(playback.AtEnd);
    }

    [Fact]
    public void A_gap_in_the_events_is_refused()
    {
        var playback = new RunPlayback(0);
        var log = Log(10, finished: false);
        Assert.Throws<InvalidOperationException>(() => playback.Add(log.Skip(1)));
    }

    [Fact]
    public async Task Paced_events_leave_at_the_pace_and_pace_zero_passes_the_source_through()
    {
        var log = Log(10, finished: true);
        static async IAsyncEnumerable<RunEvent> Source(IEnumerable<RunEvent> events)
        {
            foreach (var e in events) { await Task.Yield(); yield return e; }
        }
        var source = Source(log);
        Assert.Same(source, PacedEvents.At(source, 0));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var received = new List<RunEvent>();
        await foreach (var e in PacedEvents.At(Source(log), 20)) received.Add(e);
        Assert.Equal(log, received);
        // 10 steps at 20 steps/s: half a second at least (timers never fire early).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(480), $"took {clock.Elapsed.TotalMilliseconds} ms");
    }
}
