using ContinualLearning.Dashboard.Components.Live;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The live view "as of step k": a finished run's events, moved to any step, fold into exactly the state up to k.</summary>
public class PlaybackStateTests
{
    static readonly Lazy<IReadOnlyList<RunEvent>> ReplayRun = new(() =>
    {
        using var run = new TrainingRun(new RunConfig { Strategy = "replay", ReplayRatio = 0.2, IterationsPerTask = 30, EvalEvery = 5 }, new DataSetCatalog());
        run.Execute();
        return run.Events.Snapshot();
    });

    [Fact]
    public void Scrubbing_a_finished_run_to_step_k_shows_exactly_the_events_up_to_k()
    {
        var events = ReplayRun.Value;
        var playback = new RunPlayback(8);
        playback.Add(events);
        var state = new LiveRunState();
        // Forward, back past the end of task 1, forward again: each position equals a fold of exactly the events up to k.
        foreach (long k in new long[] { 45, 12, 29, 30, 31, 0, 60 })
        {
            playback.SeekToStep(k);
            state = playback.ShownCount < state.LastSeq ? LiveRunState.AsOf(playback.Events, playback.ShownCount) : state;
            state.CatchUp(playback.Events, playback.ShownCount);

            var upToK = events.Where(e => (e.Step ?? StepBefore(events, e)) <= k).ToList();
            Assert.Equal(upToK.Count, state.LastSeq);
            Assert.Equal(upToK.Select(e => e.Seq), Enumerable.Range(1, upToK.Count).Select(i => (long)i)); // a prefix of the log
            Assert.Equal(k, state.Step);
            var finished = upToK.Where(e => e.Kind == RunEventKind.TaskFinished).ToList();
            Assert.Equal(finished.Count, state.MatrixRows.Count); // matrix rows finished by k
            Assert.Equal(finished.LastOrDefault()?.MemorySample, state.MemorySample); // replay memory as of k
            Assert.Equal(upToK.Last(e => e.Kind == RunEventKind.Evaluation).Predictions, state.Predictions); // prediction grid as of k
            Assert.Equal(upToK.Count(e => e.Kind == RunEventKind.Evaluation), state.EvaluationCount);
            Assert.Equal(k == 60, state.Terminal is not null); // the end shows only at the last step
        }
    }

    static long StepBefore(IReadOnlyList<RunEvent> events, RunEvent e) =>
        events.Take((int)e.Seq - 1).LastOrDefault(x => x.Step is not null)?.Step ?? 0;
}
