using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Tests.Strategies;

/// <summary>
/// The orderings of van de Ven et al.'s "Three types of incremental learning", on the bundled data with 100 iterations
/// per task (seed 0). The margins hold for seeds 0, 1 and 2 (docs/results.md, scripts/measure-strategies.sh).
/// </summary>
[Collection(TestRuns.TrainingCollection)]
public class OrderingTests
{
    const int Iterations = 100;

    /// <summary>Task-incremental naive fine-tuning forgets visibly only with longer training than the other orderings need.</summary>
    const int TaskIncrementalIterations = 500;

    static Dictionary<string, (double Average, double FirstTask)> Measure(string preset, string? scenario, params string[] strategies) =>
        Measure(preset, scenario, Iterations, strategies);

    static Dictionary<string, (double Average, double FirstTask)> Measure(string preset, string? scenario, int iterations, params string[] strategies) =>
        strategies.ToDictionary(s => s, s =>
        {
            var config = TestRuns.Preset(preset, s, iterations);
            var r = TestRuns.Run(scenario is null ? config : config with { Scenario = scenario });
            return (r.AverageAccuracy, r.AccuracyMatrix[^1][0]);
        });

    [Fact]
    public void ClassIncrementalRegularizationEndsFarBelowReplayWhichEndsBelowJoint()
    {
        var m = Measure(Presets.SplitMnist5, null, "naive", "ewc", "si", "lwf", "replay", "generative-replay", "joint");
        string Report() => string.Join(", ", m.Select(p => $"{p.Key} {p.Value.Average:0.0}"));
        foreach (var weak in new[] { "naive", "ewc", "si", "lwf" })
            foreach (var replay in new[] { "replay", "generative-replay" })
                Assert.True(m[weak].Average + 25 < m[replay].Average, Report());
        foreach (var replay in new[] { "replay", "generative-replay" })
            Assert.True(m[replay].Average + 3 < m["joint"].Average, Report());
    }

    [Fact]
    public void TaskIncrementalNaiveEndsBelowEwcSiLwfAndPnn()
    {
        var m = Measure(Presets.SplitMnist5, Scenarios.TaskIncremental, TaskIncrementalIterations, "naive", "ewc", "si", "lwf", "pnn");
        string Report() => string.Join(", ", m.Select(p => $"{p.Key} {p.Value.Average:0.0} (task 1: {p.Value.FirstTask:0.0})"));
        foreach (var other in new[] { "ewc", "si", "lwf", "pnn" })
        {
            Assert.True(m["naive"].Average + 2 < m[other].Average, Report());
            Assert.True(m["naive"].FirstTask + 3 < m[other].FirstTask, Report());
        }
    }

    [Fact]
    public void DomainIncrementalEwcAndSiBeatNaiveAndReplayBeatsBoth()
    {
        var m = Measure(Presets.PermutedMnist, null, "naive", "ewc", "si", "replay");
        string Report() => string.Join(", ", m.Select(p => $"{p.Key} {p.Value.Average:0.0} (task 1: {p.Value.FirstTask:0.0})"));
        Assert.True(m["ewc"].FirstTask > m["naive"].FirstTask + 8, Report());
        Assert.True(m["ewc"].Average > m["naive"].Average + 2, Report());
        Assert.True(m["si"].Average > m["naive"].Average + 1, Report());
        Assert.True(m["replay"].Average > Math.Max(m["ewc"].Average, m["si"].Average), Report());
    }
}
