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
        // The last task is never replayed, so it adds nothing: the memory the live page shows at the end is the count
        // the designer promised ("stores N of task 1's … images"), with task 1's classes only.
        Assert.Equal(finished[0].MemorySize, finished[1].MemorySize);
        Assert.DoesNotContain(finished[1].MemorySample!, i => labels[i] >= 5);
    }

    [Fact]
    public void Replay_over_three_tasks_keeps_a_share_of_each_task_but_the_last()
    {
        var run = TestData.Execute(new RunConfig { Strategy = "replay", ReplayRatio = 0.05, IterationsPerTask = 2, Tasks = "0-2|3-5|6-9" });
        var finished = TestData.Events(run).Where(e => e.Kind == RunEventKind.TaskFinished).ToArray();
        var labels = TestData.Catalog.Load(run.Config.Dataset).Train.Labels;
        int Kept(Func<byte, bool> inTask) => Replay.KeptCount(labels.Count(inTask), 0.05);

        Assert.Equal(Kept(l => l <= 2), finished[0].MemorySize);
        Assert.Equal(Kept(l => l <= 2) + Kept(l => l is >= 3 and <= 5), finished[1].MemorySize);
        Assert.Equal(finished[1].MemorySize, finished[2].MemorySize);
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
