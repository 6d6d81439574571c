using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Engine.Tests;

public class MetricsTests
{
    // R[i][j]: accuracy on task j after training task i.
    static readonly double[][] ThreeTasks =
    [
        [90, 10, 5],
        [60, 80, 20],
        [30, 70, 95],
    ];

    [Fact]
    public void AverageAccuracyIsTheMeanOfTheLastRow() =>
        Assert.Equal((30 + 70 + 95) / 3.0, ContinualMetrics.AverageAccuracy(ThreeTasks), 10);

    [Fact]
    public void ForgettingIsBestEarlierMinusFinalPerTask()
    {
        Assert.Equal([90 - 30, 80 - 70], ContinualMetrics.ForgettingPerTask(ThreeTasks));
        Assert.Equal((60 + 10) / 2.0, ContinualMetrics.Forgetting(ThreeTasks), 10);
    }

    [Fact]
    public void ForgettingUsesTheBestEarlierAccuracyNotTheFirst()
    {
        double[][] r = [[40, 0, 0], [70, 90, 0], [20, 85, 80]];
        Assert.Equal([70 - 20, 90 - 85], ContinualMetrics.ForgettingPerTask(r));
    }

    [Fact]
    public void BackwardTransferComparesFinalWithJustLearned()
    {
        Assert.Equal(((30 - 90) + (70 - 80)) / 2.0, ContinualMetrics.BackwardTransfer(ThreeTasks), 10);
        Assert.Equal(5, ContinualMetrics.BackwardTransfer([[50, 0], [55, 60]]), 10);
    }

    [Fact]
    public void OneTaskHasNoForgettingOrTransfer()
    {
        double[][] single = [[88]];
        Assert.Equal(88, ContinualMetrics.AverageAccuracy(single));
        Assert.Empty(ContinualMetrics.ForgettingPerTask(single));
        Assert.Equal(0, ContinualMetrics.Forgetting(single));
        Assert.Equal(0, ContinualMetrics.BackwardTransfer(single));
    }

    [Fact]
    public void ResultCarriesAllSummaries()
    {
        var result = RunResult.From(new Config.RunConfig(), ThreeTasks, 12, new DataSetInfo("x", 1, 1, false));
        Assert.Equal(ContinualMetrics.AverageAccuracy(ThreeTasks), result.AverageAccuracy);
        Assert.Equal(ContinualMetrics.Forgetting(ThreeTasks), result.Forgetting);
        Assert.Equal(ContinualMetrics.BackwardTransfer(ThreeTasks), result.BackwardTransfer);
    }

    [Fact]
    public void ForwardTransferIsTheAccuracyJustBeforeATaskMinusTheUntrainedModels()
    {
        double[] untrained = [10, 12, 8];
        // R[0][1] − b[1] = 10 − 12, R[1][2] − b[2] = 20 − 8.
        Assert.Equal(((ThreeTasks[0][1] - 12) + (ThreeTasks[1][2] - 8)) / 2, ContinualMetrics.ForwardTransfer(ThreeTasks, untrained), 10);
        Assert.Equal(0, ContinualMetrics.ForwardTransfer([[90]], [10]));
        Assert.Equal(0, ContinualMetrics.ForwardTransfer(ThreeTasks, [10])); // no reference for later tasks: nothing to say
        var result = RunResult.From(new Config.RunConfig(), ThreeTasks, 12, new DataSetInfo("x", 1, 1, false), untrained);
        Assert.Equal(ContinualMetrics.ForwardTransfer(ThreeTasks, untrained), result.ForwardTransfer);
        Assert.Equal(untrained, result.InitialAccuracies);
        Assert.Null(RunResult.From(new Config.RunConfig(), ThreeTasks, 12, new DataSetInfo("x", 1, 1, false)).ForwardTransfer);
    }
}
