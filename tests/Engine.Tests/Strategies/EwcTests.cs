using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class EwcTests
{
    static RunConfig Small(string mode) => Presets.Get(Presets.PermutedMnist) with
    {
        Strategy = "ewc", EwcMode = mode, HiddenSizes = [32], Permutations = 3, FisherSamples = 20, BatchSize = 32,
    };

    [Theory]
    [InlineData("separate", 2)]
    [InlineData("online", 1)]
    public void PenaltyIsZeroAtTheAnchorAndGrowsAwayFromIt(string mode, int penaltiesAfterTwoTasks)
    {
        using var ewc = new Ewc();
        var ctx = TestRuns.Context(Small(mode), ewc);
        TestRuns.Task(ctx, ewc, 0, 5);
        using (NewDisposeScope()) Assert.Equal(0f, ewc.Penalty(ctx).item<float>());
        TestRuns.Train(ctx, ewc, 5);
        using (NewDisposeScope()) Assert.True(ewc.Penalty(ctx).item<float>() > 0);
        ctx.Task = 1;
        ewc.EndTask(ctx);
        Assert.Equal(penaltiesAfterTwoTasks, ewc.PenaltyCount);
        TestRuns.DisposeAll(ctx);
    }

    [Fact]
    public void FisherIsNonNegativeAndZeroForPixelsThatAreAlwaysBlank()
    {
        using var ewc = new Ewc();
        var ctx = TestRuns.Context(Small("separate") with { Permutations = 1 }, ewc);
        TestRuns.Train(ctx, ewc, 3);
        using var _ = NewDisposeScope();
        var fisher = Ewc.EstimateFisher(ctx);
        Assert.All(fisher, f => Assert.True(f.min().item<float>() >= 0));
        // The top-left pixel is blank in every MNIST digit: its first-layer weights carry no information.
        Assert.Equal(0f, fisher[0][.., 0].abs().max().item<float>());
        Assert.True(fisher[0].sum().item<float>() > 0);
        TestRuns.DisposeAll(ctx);
    }

    [Fact]
    public void ATwoTaskRunEstimatesExactlyOneFisher()
    {
        using var ewc = new Ewc();
        TestRuns.Run(TestRuns.Preset(Presets.SplitMnist5, "ewc", iterations: 3) with { Tasks = "0,1|2,3", HiddenSizes = [16], FisherSamples = 5 }, ewc);
        // The Fisher after the last task would protect it from tasks that never come.
        Assert.Equal(1, ewc.FisherEstimates);
        Assert.Equal(1, ewc.PenaltyCount);
    }
}
