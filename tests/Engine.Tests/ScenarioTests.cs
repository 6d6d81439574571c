using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests;

public class ScenarioTests
{
    [Fact]
    public void TaskIncrementalLogitsOnlyLetEachTaskChooseAmongItsOwnClasses()
    {
        var config = Presets.Get(Presets.SplitMnist5) with { Scenario = Scenarios.TaskIncremental };
        using var strategy = new Naive();
        var ctx = TestRuns.Context(config, strategy);
        using var _ = NewDisposeScope();
        foreach (var task in ctx.Stream.Tasks)
        {
            var batch = ctx.MakeBatch(task.Train.Take(50).ToArray());
            var logits = ctx.Logits(batch);
            var predicted = logits.argmax(1).data<long>().ToArray().Distinct();
            Assert.All(predicted, k => Assert.Contains((int)k, task.Classes));
            var finite = logits.isfinite()[0].data<bool>().ToArray();
            Assert.Equal(Enumerable.Range(0, 10).Select(k => task.Classes.Contains(k)), finite);
        }
        TestRuns.DisposeAll(ctx);
    }

    [Fact]
    public void ClassIncrementalLogitsAreNotMasked()
    {
        var config = Presets.Get(Presets.SplitMnist5);
        using var strategy = new Naive();
        var ctx = TestRuns.Context(config, strategy);
        using var _ = NewDisposeScope();
        var logits = ctx.Logits(ctx.MakeBatch(ctx.Stream.Tasks[0].Train.Take(10).ToArray()));
        Assert.True(logits.isfinite().all().item<bool>());
        TestRuns.DisposeAll(ctx);
    }

    [Fact]
    public void PermutedMnistTasksShareTheClassesAndPermuteThePixels()
    {
        var config = Presets.Get(Presets.PermutedMnist) with { Permutations = 3 };
        var stream = TaskStream.Build(TestRuns.Bundled, config);
        Assert.Equal(3, stream.Tasks.Count);
        Assert.All(stream.Tasks, t => Assert.Equal(Enumerable.Range(0, 10), t.Classes));
        Assert.All(stream.Tasks, t => Assert.Equal(TestRuns.Bundled.Train.Count, t.Train.Length));
        Assert.Null(stream.Tasks[0].PixelPermutation);
        var p1 = stream.Tasks[1].PixelPermutation!;
        var p2 = stream.Tasks[2].PixelPermutation!;
        Assert.Equal(Enumerable.Range(0, 784), p1.Order());
        Assert.NotEqual(p1, p2);
        // Seeded: the same config gives the same permutations, another seed others.
        Assert.Equal(p1, TaskStream.Build(TestRuns.Bundled, config).Tasks[1].PixelPermutation);
        Assert.NotEqual(p1, TaskStream.Build(TestRuns.Bundled, config with { Seed = 1 }).Tasks[1].PixelPermutation);

        using var ctx = new TrainingContext(config, stream);
        using var _ = NewDisposeScope();
        var (plain, _) = ctx.TestBatch(0, [5]);
        var (permuted, _) = ctx.TestBatch(1, [5]);
        var original = plain.data<float>().ToArray();
        Assert.Equal(p1.Select(p => original[p]), permuted.data<float>().ToArray());
    }
}
