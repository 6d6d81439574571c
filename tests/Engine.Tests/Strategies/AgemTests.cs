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
        // 100 per class of every task but the last (nothing trains after it): 4 tasks × 2 classes.
        Assert.Equal(4 * 2 * 100, agem.Memory.Count);
        Assert.True(agem.Projections > 0, "class-incremental tasks conflict, so some steps must have been projected");
        Assert.True(agem.SmallestCosineAfterProjection >= -1e-3, $"cosine {agem.SmallestCosineAfterProjection}");
    }

    [Fact]
    public void MemoryKeepsTheSameNumberOfEachClassOfEveryFinishedTask()
    {
        var config = StrategyParameterValues.With(TestRuns.Preset(Presets.SplitMnist5, "agem", iterations: 3) with { HiddenSizes = [16] }, Agem.MemoryPerClass.Name, 7);
        using var agem = new Agem();
        TestRuns.Run(config, agem);
        var labels = TestRuns.Bundled.Train.Labels;
        var perClass = agem.Memory.GroupBy(s => (int)labels[s.Index]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 8).ToDictionary(k => k, _ => 7), perClass); // classes 8 and 9 are the last task's
        Assert.Equal(Agem.MemoryAfter(config, [2, 2, 2, 2]), agem.Memory.Count);
    }

    [Fact]
    public void AStoredConfigWithTheOldPerTaskMemoryStillLoadsAndKeepsThatManyPerTask()
    {
        // Runs stored before the budget became per class carry agemMemoryPerTask (every stored config wrote it out).
        var config = Presets.FromJson("""{"preset":"split-mnist-5","strategy":"agem","iterationsPerTask":3,"hiddenSizes":[16],"evalEvery":100000,"agemMemoryPerTask":30}""");
        Assert.Empty(ConfigValidator.Validate(config));
        using var agem = new Agem();
        TestRuns.Run(config, agem);
        Assert.Equal(4 * 30, agem.Memory.Count);
        Assert.Equal(4 * 30, Agem.MemoryAfter(config, [2, 2, 2, 2]));
        var refused = ConfigValidator.Validate(Presets.FromJson("""{"strategy":"agem","agemMemoryPerTask":0}"""));
        Assert.Equal("agemMemoryPerTask", Assert.Single(refused).Field);
    }
}
