using ContinualLearning.Engine.Tasks;

namespace ContinualLearning.Engine.Tests;

public class TaskSplitTests
{
    [Fact]
    public void ParsesRangesAndLists()
    {
        Assert.Equal([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], TaskSplit.Parse("0-4|5-9"));
        Assert.Equal([[0, 1], [2, 3], [9, 7]], TaskSplit.Parse("0,1 | 2,3 | 9,7"));
    }

    [Fact]
    public void FormatsBackToTheShortForm()
    {
        Assert.Equal("0-4|5-9", TaskSplit.Format(TaskSplit.Parse("0,1,2,3,4|5-9")));
        Assert.Equal("0,1|2,3", TaskSplit.Format(TaskSplit.Parse("0-1|2-3")));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0-4|", "task 2 is empty")]
    [InlineData("4-0", "runs backwards")]
    [InlineData("a|1", "'a' is not a class number")]
    [InlineData("1,1|2", "names a class twice")]
    public void RejectsBadSplitsWithTheReason(string text, string reason)
    {
        Assert.False(TaskSplit.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void StreamSelectsEachTasksClassesOnly()
    {
        var data = TestData.Catalog.Load("mnist-10k");
        var stream = TaskStream.Build(data, new Config.RunConfig { Tasks = "0,1|2,3", EvalSamplesPerTask = 50 });
        Assert.Equal(2, stream.Tasks.Count);
        Assert.All(stream.Tasks[1].Train, s => Assert.Contains(data.Train.Labels[s.Index], new byte[] { 2, 3 }));
        Assert.All(stream.Tasks[0].Test, i => Assert.Contains(data.Test.Labels[i], new byte[] { 0, 1 }));
        Assert.Equal(data.Train.Labels.Count(l => l is 0 or 1), stream.Tasks[0].Train.Length);
        Assert.Equal(50, stream.Tasks[0].EvalSubset.Length);
        Assert.Subset(stream.Tasks[0].Test.ToHashSet(), stream.Tasks[0].EvalSubset.ToHashSet());
    }
}
