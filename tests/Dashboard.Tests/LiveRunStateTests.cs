using ContinualLearning.Dashboard.Components.Live;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Tests;

public class LiveRunStateTests
{
    [Fact]
    public void ProgressUsesTheExactStepsOfTheTaskWhenReplayMakesItLonger()
    {
        using var run = new TrainingRun(new RunConfig { Strategy = "replay", ReplayRatio = 0.5 }, new DataSetCatalog());
        run.Execute();
        var events = run.Events.Snapshot();
        var task2 = events.Single(e => e.Kind == RunEventKind.TaskStarted && e.Task == 1);
        long halfway = task2.Step!.Value + task2.TaskSteps!.Value / 2;
        var state = new LiveRunState();
        foreach (var e in events.TakeWhile(e => !(e.Kind == RunEventKind.Step && e.Step > halfway))) state.Apply(e);

        Assert.True(task2.TaskSteps > events[0].Plan!.StepsPerTask[1]);
        Assert.Equal((1 + (halfway - task2.Step!.Value) / (double)task2.TaskSteps!.Value) / 2, state.Progress(), 6);
    }
}
