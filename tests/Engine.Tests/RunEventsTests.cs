using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using TorchSharp;

namespace ContinualLearning.Engine.Tests;

public class RunEventsTests
{
    [Fact]
    public void StreamIsOrderedAndComplete()
    {
        var run = TestData.Execute(new RunConfig { EvalEvery = 20 });
        var events = TestData.Events(run);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.All(events, e => Assert.Equal(run.Id, e.RunId));
        Assert.Equal(RunEventKind.Started, events[0].Kind);
        Assert.Equal(RunEventKind.Finished, events[^1].Kind);
        Assert.Same(run.Result, events[^1].Result);

        var kinds = events.Select(e => e.Kind).Where(k => k is not (RunEventKind.Step or RunEventKind.Evaluation)).ToArray();
        Assert.Equal([RunEventKind.Started, RunEventKind.TaskStarted, RunEventKind.TaskFinished, RunEventKind.TaskStarted, RunEventKind.TaskFinished, RunEventKind.Finished], kinds);

        var steps = events.Where(e => e.Kind == RunEventKind.Step).ToArray();
        Assert.Equal(Enumerable.Range(1, steps.Length).Select(i => (long)i), steps.Select(e => e.Step!.Value));
        Assert.Equal(events[0].Plan!.StepsPerTask.Sum(), steps.Length);
        Assert.Equal(events[0].Plan!.StepsPerTask, events.Where(e => e.Kind == RunEventKind.TaskStarted).Select(e => e.TaskSteps!.Value));
        Assert.All(steps, s => Assert.True(s.Loss > 0));

        var rows = events.Where(e => e.Kind == RunEventKind.TaskFinished).Select(e => e.Accuracies!).ToArray();
        Assert.Equal(run.Result!.AccuracyMatrix, rows);
    }

    [Fact]
    public void TaskStartedGivesTheExactStepsWhenReplayLengthensATask()
    {
        var run = TestData.Execute(new RunConfig { Strategy = "replay", ReplayRatio = 0.5 });
        var events = TestData.Events(run);
        var started = events.Where(e => e.Kind == RunEventKind.TaskStarted).ToArray();
        var stepsPerTask = events.Where(e => e.Kind == RunEventKind.Step).GroupBy(e => e.Task).Select(g => (long)g.Count()).ToArray();
        Assert.Equal(stepsPerTask, started.Select(e => e.TaskSteps!.Value));
        Assert.True(started[1].TaskSteps > events[0].Plan!.StepsPerTask[1], "replayed samples lengthen task 2");
    }

    [Fact]
    public void EvaluationsFollowTheScheduleAndShowForgetting()
    {
        var run = TestData.Execute(new RunConfig { EvalEvery = 10 });
        var evaluations = TestData.Events(run).Where(e => e.Kind == RunEventKind.Evaluation).ToArray();
        // One before training, every 10th step, and the last step of each task.
        Assert.Equal(0, evaluations[0].Step);
        Assert.All(evaluations.Skip(1), e => Assert.True(e.Step % 10 == 0 || e.Step == 65 || e.Step == 126, $"step {e.Step}"));
        var endOfTask1 = evaluations.Single(e => e.Step == 65);
        Assert.True(endOfTask1.Accuracies![0] > 85);
        Assert.True(evaluations[^1].Accuracies![0] < 30);
        Assert.Equal(24, evaluations[^1].Predictions!.Length);
    }

    [Fact]
    public async Task LateSubscriberGetsTheWholeHistory()
    {
        var run = new TrainingRun(new RunConfig(), TestData.Catalog);
        run.Start().Join();
        var replayed = new List<RunEvent>();
        await foreach (var e in run.Events.ReadAllAsync()) replayed.Add(e);
        Assert.Equal(run.Events.Snapshot(), replayed);
    }

    [Fact]
    public async Task LiveSubscriberSeesEveryEventInOrder()
    {
        var run = new TrainingRun(new RunConfig(), TestData.Catalog);
        var reading = Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var e in run.Events.ReadAllAsync()) seen.Add(e.Seq);
            return seen;
        });
        run.Start();
        var seqs = await reading.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(run.Events.Count, seqs.Count);
    }

    [Fact]
    public async Task CancelStopsWithinOneBatch()
    {
        // 100,000 steps at full speed (tens of seconds): a reader delayed by a loaded machine still finds the run going.
        var run = new TrainingRun(new RunConfig { IterationsPerTask = 50_000, EvalEvery = 1000 }, TestData.Catalog);
        run.Start();
        long stepAtCancel = -1;
        await foreach (var e in run.Events.ReadAllAsync())
            if (e.Kind == RunEventKind.Step && e.Step == 5) { run.Control.Cancel(); stepAtCancel = run.Events.Snapshot().Last(x => x.Kind == RunEventKind.Step).Step!.Value; }
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        var events = run.Events.Snapshot();
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal(RunEventKind.Cancelled, events[^1].Kind);
        long lastStep = events.Last(e => e.Kind == RunEventKind.Step).Step!.Value;
        Assert.InRange(lastStep, stepAtCancel, stepAtCancel + 1);
    }

    [Fact]
    public async Task AConfigPaceNeverSlowsTraining()
    {
        // At the slowest pace allowed the seed's ~126 steps would take over 4 minutes; pace is only the viewers' default now.
        var config = new RunConfig { Pace = ConfigValidator.MinPace };
        using var run = new TrainingRun(config, TestData.Catalog);
        run.Start();
        Assert.NotNull(await run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));
        var steps = run.Events.Snapshot().Where(e => e.Kind == RunEventKind.Step).ToArray();
        double pacedSeconds = steps.Length / config.Pace;
        double trainedSeconds = (steps[^1].Time - steps[0].Time).TotalSeconds;
        Assert.True(trainedSeconds < pacedSeconds / 10, $"{steps.Length} steps took {trainedSeconds:0.0} s; at the pace they would take {pacedSeconds:0} s");
    }

    [Fact]
    public void MissingDataEndsAsFailedWithTheReason()
    {
        var catalog = new Data.DataSetCatalog(dataDirectory: null, bundledDirectory: Path.Combine(TestData.TempDirectory(), "nothing-here"));
        var run = new TrainingRun(new RunConfig(), catalog);
        run.Execute();
        Assert.Equal(RunStatus.Failed, run.Status);
        var last = run.Events.Snapshot()[^1];
        Assert.Equal(RunEventKind.Failed, last.Kind);
        Assert.Contains("train-images-idx3-ubyte.gz", last.Message);
    }

    [Fact]
    public void ARunLeavesNoTensorsBehind()
    {
        TestData.Execute(new RunConfig()); // warm-up: data loading and lazy statics
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        TestData.Execute(new RunConfig { Strategy = "replay-reservoir", Model = "mlp", Optimizer = "adam", HiddenSizes = [16] });
        TestData.Execute(new RunConfig { Strategy = "replay" });
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
