using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class SynapticIntelligenceTests
{
    [Fact]
    public void ImportanceComesFromThePathAndThePenaltyPullsBackToTheAnchor()
    {
        var config = Presets.Get(Presets.PermutedMnist) with { Strategy = "si", HiddenSizes = [32], Permutations = 2, BatchSize = 32 };
        using var si = new SynapticIntelligence();
        var ctx = TestRuns.Context(config, si);
        TestRuns.Task(ctx, si, 0, 20);
        var importance = si.Importance!;
        Assert.All(importance, w => Assert.True(w.min().item<float>() >= 0));
        Assert.True(importance[0].sum().item<float>() > 0);
        // Weights from an always-blank pixel never move, so they earn no importance.
        using (NewDisposeScope()) Assert.Equal(0f, importance[0][.., 0].abs().max().item<float>());
        using (NewDisposeScope()) Assert.Equal(0f, si.Penalty(ctx).item<float>());
        ctx.Task = 1;
        si.BeginTask(ctx);
        TestRuns.Train(ctx, si, 5);
        using (NewDisposeScope()) Assert.True(si.Penalty(ctx).item<float>() > 0);
        TestRuns.DisposeAll(ctx);
    }

    [Fact]
    public void TheDefaultCIsCappedForSgdSoTheSeedExperimentStaysFinite()
    {
        var sgd = new RunConfig { Strategy = "si" }; // the seed: class-incremental, SGD 0.01
        Assert.Equal(5000, SynapticIntelligence.DefaultC(Scenarios.ClassIncremental));
        Assert.Equal(1 / (2 * 0.01 * 0.5), SynapticIntelligence.DefaultC(sgd, largestImportance: 0.5), 6);
        Assert.Equal(5000, SynapticIntelligence.DefaultC(sgd, largestImportance: 1e-9));
        Assert.Equal(5000, SynapticIntelligence.DefaultC(sgd with { Optimizer = "adam" }, largestImportance: 0.5));
        // Uncapped, c = 5000 diverged early in task 2 of the seed experiment; capped, the run ends with finite numbers.
        using var si = new SynapticIntelligence();
        var result = TestRuns.Run(sgd with { EvalEvery = 100_000 }, si);
        Assert.All(result.AccuracyMatrix.SelectMany(r => r), a => Assert.True(double.IsFinite(a)));
        Assert.InRange(si.C, 1e-9, 5000);
    }
}
