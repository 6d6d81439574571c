using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

public class LwfTests
{
    [Fact]
    public void DistillationIsZeroWhileTheModelEqualsThePreviousOneAndGrowsAsItDrifts()
    {
        var config = Presets.Get(Presets.SplitMnist5) with { Strategy = "lwf", HiddenSizes = [32], BatchSize = 32 };
        using var lwf = new LearningWithoutForgetting();
        var ctx = TestRuns.Context(config, lwf);
        TestRuns.Task(ctx, lwf, 0, 10);
        ctx.Task = 1;
        lwf.BeginTask(ctx);
        using (NewDisposeScope())
        {
            var inputs = ctx.MakeBatch(ctx.CurrentTask.Train.Take(32).ToArray()).Inputs;
            Assert.Equal(0, lwf.Distillation(ctx, inputs).item<float>(), 5);
        }
        TestRuns.Train(ctx, lwf, 10);
        Assert.True(lwf.LastDistillation > 1e-4, $"distillation {lwf.LastDistillation}");
        TestRuns.DisposeAll(ctx);
    }
}
