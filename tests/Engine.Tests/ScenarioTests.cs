using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests;

[Collection(TestRuns.TrainingCollection)]
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

    [Fact]
    public void SplitDomainIncrementalLabelsAreEachClassesPositionWithinItsTask()
    {
        var config = Presets.Get(Presets.SplitMnist5) with { Scenario = Scenarios.DomainIncremental };
        var stream = TaskStream.Build(TestRuns.Bundled, config);
        Assert.True(stream.LabelsArePositions);
        Assert.False(stream.HasPermutations);
        Assert.Equal(2, stream.Outputs); // one shared head: first or second digit of the pair
        Assert.Equal(["0/2/4/6/8", "1/3/5/7/9"], stream.OutputNames!);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => k % 2), Enumerable.Range(0, 10).Select(stream.Label));

        using var ctx = new TrainingContext(config, stream);
        using var _ = NewDisposeScope();
        foreach (var task in stream.Tasks)
        {
            var samples = task.Train.Take(200).ToArray();
            var labels = ctx.MakeBatch(samples).Labels.data<long>().ToArray();
            Assert.Equal(samples.Select(s => (long)Array.IndexOf(task.Classes, TestRuns.Bundled.Train.Labels[s.Index])), labels);
            Assert.Equal([0L, 1L], labels.Distinct().Order());
            var test = task.Test.Take(200).ToArray();
            Assert.Equal(test.Select(i => (long)Array.IndexOf(task.Classes, TestRuns.Bundled.Test.Labels[i])), ctx.TestBatch(task.Index, test).Labels.data<long>().ToArray());
        }
    }

    [Fact]
    public void ClassAndTaskIncrementalLabelsStayTheClasses()
    {
        foreach (var scenario in new[] { Scenarios.ClassIncremental, Scenarios.TaskIncremental })
        {
            var stream = TaskStream.Build(TestRuns.Bundled, Presets.Get(Presets.SplitMnist5) with { Scenario = scenario });
            Assert.False(stream.LabelsArePositions);
            Assert.Equal(10, stream.Outputs);
            Assert.Null(stream.OutputNames);
            Assert.Equal(Enumerable.Range(0, 10), Enumerable.Range(0, 10).Select(stream.Label));
        }
        Assert.Equal(10, TaskStream.Build(TestRuns.Bundled, Presets.Get(Presets.PermutedMnist)).Outputs);
    }

    [Fact]
    public void SplitDomainIncrementalRunTrainsOneHeadOfTheTaskSizeAndPredictsPositions()
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "naive", iterations: 30) with { Scenario = Scenarios.DomainIncremental, EvalEvery = 30 };
        var log = new Events.RunEventLog("split-domain");
        var result = TestRuns.Run(config, log: log);
        Assert.Equal(5, result.AccuracyMatrix.Length);
        var events = log.Snapshot();
        var plan = events.Single(e => e.Kind == Events.RunEventKind.Started).Plan!;
        Assert.Equal(["0/2/4/6/8", "1/3/5/7/9"], plan.OutputNames!);
        Assert.All(events.Where(e => e.Predictions is not null).SelectMany(e => e.Predictions!), p => Assert.InRange(p, 0, 1));
        // Each task, just trained, is answered well above the 50% a coin would get (its digits differ in shape).
        Assert.All(Enumerable.Range(0, 5), t => Assert.True(result.AccuracyMatrix[t][t] > 80, $"task {t + 1}: {result.AccuracyMatrix[t][t]:0.0}%"));
    }
}
