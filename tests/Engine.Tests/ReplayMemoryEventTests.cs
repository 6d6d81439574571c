using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Tests;

/// <summary>taskFinished events show the replay memory (size and a few samples) so viewers need not reach into the strategy.</summary>
public sealed class ReplayMemoryEventTests
{
    [Fact]
    public void Replay_reports_its_memory_after_each_task_with_samples_from_every_class_held()
    {
        var run = TestData.Execute(new RunConfig { Strategy = "replay", ReplayRatio = 0.05, IterationsPerTask = 3 });
        var finished = TestData.Events(run).Where(e => e.Kind == RunEventKind.TaskFinished).ToArray();
        var labels = TestData.Catalog.Load(run.Config.Dataset).Train.Labels;
        int task1Size = labels.Count(l => l <= 4);

        Assert.Equal(Replay.KeptCount(task1Size, 0.05), finished[0].MemorySize);
        Assert.InRange(finished[0].MemorySample!.Length, 1, 16);
        Assert.Equal([0, 1, 2, 3, 4], finished[0].MemorySample!.Select(i => (int)labels[i]).Distinct().Order());
        Assert.True(finished[1].MemorySize > finished[0].MemorySize);
        Assert.Contains(finished[1].MemorySample!, i => labels[i] >= 5);
    }

    [Fact]
    public void Naive_has_no_memory_to_report()
    {
        var run = TestData.Execute(new RunConfig { IterationsPerTask = 2 });
        Assert.All(TestData.Events(run).Where(e => e.Kind == RunEventKind.TaskFinished), e =>
        {
            Assert.Null(e.MemorySize);
            Assert.Null(e.MemorySample);
        });
    }
}
