using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage.Comparison;

namespace ContinualLearning.Storage.Tests;

public class RunComparisonTests
{
    static StoredRun Run(string id, RunConfig config, double[][]? matrix, long duration = 100, string? name = null)
    {
        var result = matrix is null ? null : RunResult.From(config, matrix, duration, new DataSetInfo("mnist-10k", 8000, 2000, true));
        var summary = new RunSummary { Id = id, Name = name, Config = config, Status = result is null ? RunStatus.Interrupted : RunStatus.Finished };
        return new StoredRun(summary, result, []);
    }

    [Fact]
    public void ConfigDiffListsOnlyFieldsThatDiffer()
    {
        var diff = RunComparison.DiffConfigs([
            new RunConfig { Strategy = "naive" },
            new RunConfig { Strategy = "replay", ReplayRatio = 0.5 },
            new RunConfig { Strategy = "replay", Model = "mlp", HiddenSizes = [32] },
        ]);
        Assert.Equal(["model", "hiddenSizes", "strategy", "replayRatio"], diff.Select(d => d.Field));
        Assert.Equal((IEnumerable<string?>)["\"naive\"", "\"replay\"", "\"replay\""], diff.Single(d => d.Field == "strategy").Values);
        Assert.Equal((IEnumerable<string?>)[null, null, "[32]"], diff.Single(d => d.Field == "hiddenSizes").Values); // only the mlp has hidden layers
        Assert.Equal((IEnumerable<string?>)[null, "0.5", "0.1"], diff.Single(d => d.Field == "replayRatio").Values);
    }

    [Fact]
    public void ConfigDiffHidesFieldsNoRunUsesAndShowsOnesOnlyOneRunUses()
    {
        // replayRatio differs, but neither run replays: not a difference that matters.
        Assert.Empty(RunComparison.DiffConfigs([new RunConfig(), new RunConfig { ReplayRatio = 0.9, MemoryPerClass = 5, Momentum = 0 }]));
        // Same replayRatio, but only one run replays: shown, with — for the naive run.
        var diff = RunComparison.DiffConfigs([new RunConfig(), new RunConfig { Strategy = "replay" }]);
        Assert.Equal(["strategy", "replayRatio"], diff.Select(d => d.Field));
        Assert.Equal((IEnumerable<string?>)[null, "0.1"], diff[1].Values);
        Assert.Equal(["—", "0.1"], diff[1].Values.Select(RunComparison.Display));
        // Momentum matters to SGD only.
        var optimizers = RunComparison.DiffConfigs([new RunConfig { Momentum = 0.9 }, new RunConfig { Optimizer = "adam" }]);
        Assert.Equal((IEnumerable<string?>)["0.9", null], optimizers.Single(d => d.Field == "momentum").Values);
    }

    [Fact]
    public void CsvLeavesFieldsThatDoNotApplyEmpty()
    {
        var csv = new RunComparison([Run("a", new RunConfig(), null, name: "a"), Run("b", new RunConfig { Strategy = "replay" }, null, name: "b")]).ToCsv()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("id,name,status,strategy,replayRatio,", csv[0]);
        Assert.StartsWith("a,a,interrupted,naive,,", csv[1]);
        Assert.StartsWith("b,b,interrupted,replay,0.1,", csv[2]);
    }

    [Fact]
    public void IdenticalConfigsHaveNoDifferences() =>
        Assert.Empty(RunComparison.DiffConfigs([new RunConfig(), new RunConfig()]));

    [Fact]
    public void BestPerColumnFollowsTheMetricsDirection()
    {
        var comparison = new RunComparison([
            Run("a", new RunConfig(), [[95, 0], [10, 85]], duration: 300),       // avg 47.5, forgetting 85
            Run("b", new RunConfig { Strategy = "replay" }, [[95, 0], [60, 80]], duration: 400), // avg 70, forgetting 35
            Run("c", new RunConfig { Seed = 1 }, null),                            // interrupted: no result
        ]);
        var byName = comparison.Metrics.ToDictionary(m => m.Name);

        Assert.Equal([false, true, false], byName["average accuracy"].Best);
        Assert.Equal([false, true, false], byName["forgetting"].Best);   // lower is better
        Assert.Equal([false, true, false], byName["backward transfer"].Best);
        Assert.Equal([true, false, false], byName["task 2 final"].Best);
        Assert.Equal([true, false, false], byName["duration ms"].Best);  // lower is better
        Assert.Null(byName["average accuracy"].Values[2]);
    }

    [Fact]
    public void TiesShareBestAndAllEqualMarksNone()
    {
        var comparison = new RunComparison([
            Run("a", new RunConfig(), [[90, 0], [50, 80]]),
            Run("b", new RunConfig { Seed = 1 }, [[90, 0], [50, 80]]),
        ]);
        Assert.All(comparison.Metrics, m => Assert.DoesNotContain(true, m.Best));
    }

    [Fact]
    public void CsvHasOneLinePerRunWithDifferingFieldsAndMetricsEscaped()
    {
        var comparison = new RunComparison([
            Run("a", new RunConfig(), [[95, 0], [10, 85]], name: "naive, baseline"),
            Run("b", new RunConfig { Strategy = "replay" }, [[95, 0], [60, 80]]),
        ]);
        var lines = comparison.ToCsv().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,name,status,strategy,replayRatio,average accuracy,forgetting", lines[0]);
        Assert.StartsWith("a,\"naive, baseline\",finished,naive,,47.5,85,", lines[1]); // no replayRatio for naive
        Assert.StartsWith("b,replay · replayRatio 0.1 · linear · seed 0,finished,replay,0.1,70,35,", lines[2]);
    }

    [Fact]
    public void JsonHoldsRunsDifferencesAndMetrics()
    {
        var comparison = new RunComparison([Run("a", new RunConfig(), [[95, 0], [10, 85]]), Run("b", new RunConfig { Seed = 3 }, [[95, 0], [20, 85]])]);
        var root = JsonDocument.Parse(comparison.ToJson()).RootElement;
        Assert.Equal(["a", "b"], root.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("seed", root.GetProperty("configDifferences")[0].GetProperty("field").GetString());
        Assert.Equal("finished", root.GetProperty("runs")[0].GetProperty("status").GetString());
        Assert.Equal(20, root.GetProperty("runs")[1].GetProperty("result").GetProperty("accuracyMatrix")[1][0].GetDouble());
        Assert.True(root.GetProperty("metrics")[0].GetProperty("best")[0].GetBoolean() is false);
    }

    [Fact]
    public void CurvesComeFromStepAndEvaluationEvents()
    {
        RunEvent E(long seq, RunEventKind kind, long step, double? loss = null, double[]? acc = null) =>
            new() { RunId = "r", Seq = seq, Kind = kind, Step = step, Loss = loss, Accuracies = acc };
        var curves = RunCurves.From([
            E(1, RunEventKind.Started, 0), E(2, RunEventKind.Evaluation, 0, acc: [10, 11]),
            E(3, RunEventKind.Step, 1, loss: 2.0), E(4, RunEventKind.Step, 2, loss: 1.5), E(5, RunEventKind.Evaluation, 2, acc: [80, 12]),
            E(6, RunEventKind.TaskFinished, 2, acc: [90, 0]),
        ]);
        Assert.Equal([1L, 2], curves.LossSteps);
        Assert.Equal([2.0, 1.5], curves.Loss);
        Assert.Equal([0L, 2], curves.EvalSteps);
        Assert.Equal([10.0, 80], curves.AccuracyByTask[0]);
        Assert.Equal([11.0, 12], curves.AccuracyByTask[1]);
    }

    [Fact]
    public void BandsAreMeanAndStdPerStepOverTheStepsAllRunsReached()
    {
        var band = CurveBand.Of([([1L, 2, 3], [10.0, 20, 30]), ([1L, 2], [14.0, 20])]);
        Assert.Equal([1L, 2], band.Steps);
        Assert.Equal([12.0, 20], band.Mean);
        Assert.Equal(Math.Sqrt(8), band.Std[0], 9);
        Assert.Equal(0, band.Std[1]);
    }
}
