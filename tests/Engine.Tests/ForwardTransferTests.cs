using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Metrics;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests;

[Collection(TestRuns.TrainingCollection)]
public class ForwardTransferTests
{
    [Theory]
    [InlineData(Scenarios.ClassIncremental)]
    [InlineData(Scenarios.TaskIncremental)]
    public void TheReferenceIsTheUntrainedModelWithTheSameSeed(string scenario)
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "naive", iterations: 5, seed: 3) with { Scenario = scenario, Tasks = "0,1|2,3|4,5", HiddenSizes = [32] };
        var result = TestRuns.Run(config);

        // The same seed's initial weights, tested by hand on each task's full test set.
        using var naive = new ContinualLearning.Engine.Strategies.Naive();
        var ctx = TestRuns.Context(config, naive);
        ctx.Model.eval();
        var expected = ctx.Stream.Tasks.Select(t =>
        {
            using var _ = NewDisposeScope();
            var (inputs, labels) = ctx.TestBatch(t.Index, t.Test);
            var taskIds = tensor(Enumerable.Repeat((long)t.Index, t.Test.Length).ToArray());
            return 100.0 * ctx.Logits(inputs, taskIds).argmax(1).eq(labels).sum().item<long>() / t.Test.Length;
        }).ToArray();
        TestRuns.DisposeAll(ctx);

        Assert.Equal(expected, result.InitialAccuracies);
        Assert.Equal(ContinualMetrics.ForwardTransfer(result.AccuracyMatrix, expected), result.ForwardTransfer);
        Assert.True(double.IsFinite(result.ForwardTransfer!.Value));
    }
}
