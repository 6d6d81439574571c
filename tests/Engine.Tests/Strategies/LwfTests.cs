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

    [Fact]
    public void InDomainIncrementalTheDistillationWeightGrowsWithTheEarlierTasks()
    {
        var domain = Presets.Get(Presets.PermutedMnist) with { Strategy = "lwf", HiddenSizes = [32], BatchSize = 32, Permutations = 4, LwfAlpha = 0.5 };
        Assert.Equal([0, 0.5, 1.0, 1.5], Enumerable.Range(0, 4).Select(t => LearningWithoutForgetting.Weight(domain, t)));
        foreach (var scenario in new[] { Scenarios.ClassIncremental, Scenarios.TaskIncremental })
            Assert.All(Enumerable.Range(1, 3), t => Assert.Equal(0.5, LearningWithoutForgetting.Weight(domain with { Scenario = scenario }, t)));

        // The loss at task 3 is the cross-entropy plus 2 · α times the distillation.
        using var lwf = new LearningWithoutForgetting();
        var ctx = TestRuns.Context(domain, lwf);
        TestRuns.Task(ctx, lwf, 0, 5);
        TestRuns.Task(ctx, lwf, 1, 5);
        ctx.Task = 2;
        lwf.BeginTask(ctx);
        TestRuns.Train(ctx, lwf, 5); // drift from the previous model, so there is something to distil
        using (NewDisposeScope())
        {
            var batch = ctx.MakeBatch(ctx.CurrentTask.Train.Take(32).ToArray());
            double loss = lwf.Loss(ctx, batch).item<float>();
            double crossEntropy = ctx.CrossEntropy(batch).item<float>();
            Assert.True(lwf.LastDistillation > 0, $"distillation {lwf.LastDistillation}");
            Assert.Equal(crossEntropy + 2 * 0.5 * lwf.LastDistillation, loss, 4);
        }
        TestRuns.DisposeAll(ctx);
    }
}
