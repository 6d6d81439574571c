using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class AgemTests
{
    [Fact]
    public void ProjectionRemovesOnlyTheConflictingComponent()
    {
        using var _ = NewDisposeScope();
        var reference = tensor(new float[] { 1, 0, 0 });
        var conflicting = tensor(new float[] { -2, 3, 1 });
        var projected = Agem.Project(conflicting, reference, out bool changed);
        Assert.True(changed);
        Assert.Equal(new float[] { 0, 3, 1 }, projected.data<float>().ToArray());
        var agreeing = tensor(new float[] { 2, -3, 1 });
        Assert.Same(agreeing, Agem.Project(agreeing, reference, out changed));
        Assert.False(changed);
    }

    [Fact]
    public void EveryStepTakenHasANonNegativeDotProductWithTheMemoryGradient()
    {
        using var agem = new Agem();
        var result = TestRuns.Run(TestRuns.Preset(Presets.SplitMnist5, "agem", iterations: 30) with { HiddenSizes = [64] }, agem);
        Assert.Equal(5 * result.Config.AgemMemoryPerTask, agem.Memory.Count);
        Assert.True(agem.Projections > 0, "class-incremental tasks conflict, so some steps must have been projected");
        Assert.True(agem.SmallestCosineAfterProjection >= -1e-3, $"cosine {agem.SmallestCosineAfterProjection}");
    }
}
