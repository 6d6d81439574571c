using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class ProgressiveNetsTests
{
    [Fact]
    public void EarlierTasksKeepExactlyTheirAccuracyAndTheParameterCountGrowsPerTask()
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "pnn", iterations: 40) with { Scenario = Scenarios.TaskIncremental, HiddenSizes = [64, 64] };
        var log = new RunEventLog("pnn");
        using var pnn = new ProgressiveNets();
        var result = TestRuns.Run(config, pnn, log);
        var r = result.AccuracyMatrix;
        for (int j = 0; j < r.Length; j++)
        {
            Assert.True(r[j][j] > 90, $"task {j + 1} learned only {r[j][j]}%");
            for (int i = j + 1; i < r.Length; i++) Assert.Equal(r[j][j], r[i][j]);
        }
        Assert.Equal(0, result.Forgetting);
        var counts = log.Snapshot().Where(e => e.Kind == RunEventKind.TaskStarted).Select(e => e.ParameterCount!.Value).ToArray();
        Assert.Equal(5, counts.Length);
        Assert.All(counts.Zip(counts.Skip(1)), pair => Assert.True(pair.Second > pair.First));
        Assert.Equal(counts, Enumerable.Range(0, 5).Select(pnn.ParametersUpTo));
        // Column 2 adds a first layer, a second layer with one lateral adapter, and an output layer with one adapter.
        long column1 = (784 * 64 + 64) + (64 * 64 + 64) + (64 * 10 + 10);
        Assert.Equal(column1, counts[0]);
        Assert.Equal(column1 + column1 + 64 * 64 + 64 * 10, counts[1]);
    }
}
