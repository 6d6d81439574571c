using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Sweeps;

namespace ContinualLearning.Engine.Tests;

public class SweepTests
{
    static RunResult Result(double[][] matrix, int seed = 0) =>
        RunResult.From(new RunConfig { Seed = seed }, matrix, 1, new DataSetInfo("mnist-10k", 8000, 2000, true));

    [Fact]
    public void MeanAndSampleStdAreElementwiseOverSeeds()
    {
        var results = new[]
        {
            Result([[90, 0], [10, 80]]),
            Result([[94, 0], [20, 84]]),
            Result([[98, 0], [30, 88]]),
        };
        var mean = SweepStatistics.Mean(results);
        var std = SweepStatistics.Std(results);

        Assert.Equal([94.0, 0.0], mean.AccuracyMatrix[0]);
        Assert.Equal([20.0, 84.0], mean.AccuracyMatrix[1]);
        Assert.Equal(4.0, std.AccuracyMatrix[0][0], 9);   // values 90, 94, 98: sample std 4
        Assert.Equal(10.0, std.AccuracyMatrix[1][0], 9);  // 10, 20, 30: sample std 10
        Assert.Equal(0.0, std.AccuracyMatrix[0][1], 9);
        // Average accuracy per seed: 45, 52, 59 → mean 52, std 7. Forgetting: 80, 74, 68 → mean 74, std 6.
        Assert.Equal(52.0, mean.AverageAccuracy, 9);
        Assert.Equal(7.0, std.AverageAccuracy, 9);
        Assert.Equal(74.0, mean.Forgetting, 9);
        Assert.Equal(6.0, std.Forgetting, 9);
        Assert.Equal(-74.0, mean.BackwardTransfer, 9);
        Assert.Equal(6.0, std.BackwardTransfer, 9);
    }

    [Fact]
    public void OneSeedHasZeroStd()
    {
        var std = SweepStatistics.Std([Result([[90, 0], [10, 80]])]);
        Assert.Equal(0, std.AverageAccuracy);
        Assert.All(std.AccuracyMatrix.SelectMany(r => r), v => Assert.Equal(0, v));
    }

    [Fact]
    public void PlanRunsEveryValueWithSeedsCountingUpFromTheConfigSeed()
    {
        var spec = new SweepSpec { Config = new RunConfig { Strategy = "replay", Seed = 7 }, Param = "replayRatio", Values = [0.5, 0, 1], Seeds = 2 };
        var plan = SweepPlanner.Plan(spec);

        Assert.Equal(6, plan.Count);
        Assert.Equal([0.5, 0.5, 0, 0, 1, 1], plan.Select(p => p.Config.ReplayRatio));
        Assert.Equal([7, 8, 7, 8, 7, 8], plan.Select(p => p.Config.Seed));
        Assert.All(plan, p => Assert.Equal("replay", p.Config.Strategy));
    }

    [Fact]
    public void ResultKeepsPointsInTheOrderGivenWhateverOrderRunsFinish()
    {
        var spec = new SweepSpec { Config = new RunConfig { Strategy = "replay" }, Values = [1, 0, 0.5], Seeds = 2 };
        var plan = SweepPlanner.Plan(spec);
        // Finish order reversed; each result's matrix encodes its value so the grouping is visible.
        var finished = plan.Reverse().Select(p => (p, Result([[90, 0], [100 * p.Value, 80]], p.Config.Seed))).ToArray();

        var result = SweepResult.From(spec, finished);

        Assert.Equal([1.0, 0.0, 0.5], result.Points.Select(p => p.Value));
        Assert.Equal([100.0, 0.0, 50.0], result.Points.Select(p => p.Mean!.AccuracyMatrix[1][0]));
        Assert.All(result.Points, p => Assert.Equal([0, 1], p.Results.Select(r => r.Config.Seed)));
    }

    [Fact]
    public void ARepeatIsTheConfigAsGivenOverTheSeeds()
    {
        var spec = SweepSpec.Repeat(new RunConfig { Strategy = "replay", ReplayRatio = 0.3, Seed = 5 }, seeds: 4);
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal([0.3], spec.Values);
        Assert.Equal([5, 6, 7, 8], plan.Select(p => p.Config.Seed));
        Assert.All(plan, p => Assert.Equal(new RunConfig { Strategy = "replay", ReplayRatio = 0.3, Seed = p.Config.Seed } with { HiddenSizes = p.Config.HiddenSizes }, p.Config));
    }

    [Fact]
    public void PointsWithoutFinishedRunsHaveNoMeanAndStillSerialise()
    {
        var spec = new SweepSpec { Config = new RunConfig { Strategy = "replay" }, Values = [0, 1], Seeds = 1 };
        var plan = SweepPlanner.Plan(spec);
        var result = SweepResult.From(spec, [(plan[0], Result([[90, 0], [10, 80]]))]);

        Assert.NotNull(result.Points[0].Mean);
        Assert.Null(result.Points[1].Mean);
        Assert.Empty(result.Points[1].Results);
        var json = JsonDocument.Parse(JsonSerializer.Serialize(result, EngineJson.Options)).RootElement;
        Assert.False(json.GetProperty("points")[1].TryGetProperty("mean", out _));
    }

    [Fact]
    public void IntegerFieldsAreSetWithTheirOwnType()
    {
        var original = new RunConfig();
        var config = SweepParameters.With(original, "epochs", 3);
        Assert.Equal(3, config.Epochs);
        Assert.Equal(1, original.Epochs); // With copies; the original is untouched
        Assert.Equal(0.01, SweepParameters.With(new RunConfig(), "learningRate", 0.01).LearningRate);
        Assert.Equal(5, SweepParameters.With(new RunConfig(), "iterationsPerTask", 5).IterationsPerTask);
    }

    [Theory]
    [InlineData("nonsense", new[] { 0.1 }, 3, "param")]
    [InlineData("seed", new[] { 1.0 }, 3, "param")]
    [InlineData("replayRatio", new[] { 0.1, 1.5 }, 3, "values")]
    [InlineData("replayRatio", new double[0], 3, "values")]
    [InlineData("epochs", new[] { 1.5 }, 3, "values")]
    [InlineData("learningRate", new[] { 0.0 }, 3, "values")]
    [InlineData("replayRatio", new[] { 0.1 }, 0, "seeds")]
    [InlineData("replayRatio", new[] { 0.1 }, 21, "seeds")]
    public void InvalidSweepsNameTheField(string param, double[] values, int seeds, string field)
    {
        var errors = SweepValidator.Validate(new SweepSpec { Param = param, Values = values, Seeds = seeds });
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void ValueErrorsQuoteTheRuleOfTheConfigValidator()
    {
        var errors = SweepValidator.Validate(new SweepSpec { Param = "replayRatio", Values = [0.5, 2], Seeds = 1 });
        var error = Assert.Single(errors);
        Assert.Equal("values", error.Field);
        Assert.Contains("2", error.Message);
        Assert.Contains("between 0 and 1", error.Message);
    }

    [Fact]
    public void TotalRunsAreBounded()
    {
        var values = Enumerable.Range(0, 20).Select(i => i / 20.0).ToArray();
        Assert.Contains(SweepValidator.Validate(new SweepSpec { Values = values, Seeds = 20 }), e => e.Field == "values" && e.Message.Contains("runs"));
        Assert.Empty(SweepValidator.Validate(new SweepSpec { Values = values, Seeds = 10 }));
    }

    [Fact]
    public void FixedPartErrorsAreReportedUnderTheirOwnField()
    {
        var errors = SweepValidator.Validate(new SweepSpec { Config = new RunConfig { Model = "nope" }, Values = [0.1], Seeds = 1 });
        Assert.Equal("model", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData("0,0.1, 0.3,0.5,1", new[] { 0, 0.1, 0.3, 0.5, 1 })]
    [InlineData("0:1:0.25", new[] { 0, 0.25, 0.5, 0.75, 1 })]
    [InlineData("0:0.3:0.1", new[] { 0, 0.1, 0.2, 0.3 })]
    public void ValuesParseAsListsAndRanges(string text, double[] expected)
    {
        Assert.True(SweepValues.TryParse(text, out var values, out _));
        Assert.Equal(expected, values);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0,a")]
    [InlineData("1:0:0.1")]
    [InlineData("0:1:0")]
    [InlineData("0:1000:1")]
    public void BadValuesAreRejected(string text) => Assert.False(SweepValues.TryParse(text, out _, out _));

    [Fact]
    public void JsonHasParamAndPointsWithValueResultsMeanAndStd()
    {
        var spec = new SweepSpec { Config = new RunConfig { Strategy = "replay" }, Values = [0.1], Seeds = 2 };
        var plan = SweepPlanner.Plan(spec);
        var result = SweepResult.From(spec, plan.Select(p => (p, Result([[90, 0], [10, 80]], p.Config.Seed))));

        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(result, EngineJson.Options));
        var root = doc.RootElement;
        Assert.Equal("replayRatio", root.GetProperty("param").GetString());
        var point = root.GetProperty("points")[0];
        Assert.Equal(0.1, point.GetProperty("value").GetDouble());
        Assert.Equal(2, point.GetProperty("results").GetArrayLength());
        Assert.Equal(0.1, point.GetProperty("results")[0].GetProperty("config").GetProperty("replayRatio").GetDouble());
        foreach (var summary in new[] { "mean", "std" })
            foreach (var field in new[] { "accuracyMatrix", "averageAccuracy", "forgetting", "backwardTransfer" })
                Assert.True(point.GetProperty(summary).TryGetProperty(field, out _), $"{summary}.{field} missing");
    }

    /// <summary>Four real runs: the runner plans, runs and groups them (the full replay-ratio property is a CLI test).</summary>
    [Fact]
    public void RunnerRunsEveryPlannedConfigAndGroupsByValue()
    {
        var spec = new SweepSpec { Config = new RunConfig { Strategy = "replay", Seed = 3 }, Param = "replayRatio", Values = [1, 0], Seeds = 2 };
        var seen = new List<(double, int)>();
        var result = SweepRunner.Run(spec, new DataSetCatalog(), (plan, run) => seen.Add((run.Config.ReplayRatio, run.Config.Seed)));

        Assert.Equal([(1.0, 3), (1.0, 4), (0.0, 3), (0.0, 4)], seen);
        Assert.Equal([1.0, 0.0], result.Points.Select(p => p.Value));
        Assert.All(result.Points, p => Assert.Equal([3, 4], p.Results.Select(r => r.Config.Seed)));
        Assert.True(result.Points[0].Mean!.AccuracyMatrix[1][0] > result.Points[1].Mean!.AccuracyMatrix[1][0] + 30, "full replay should keep far more of task 1 than none");
        Assert.All(result.Points, p => Assert.True(p.Std!.AverageAccuracy > 0, "different seeds should give different results"));
    }

    [Fact]
    public void RunnerRejectsAnInvalidSweepBeforeRunningAnything()
    {
        int created = 0;
        var e = Assert.Throws<ConfigValidationException>(() =>
            SweepRunner.Run(new SweepSpec { Values = [2], Seeds = 1 }, new DataSetCatalog(), (_, _) => created++));
        Assert.Equal("values", Assert.Single(e.Errors).Field);
        Assert.Equal(0, created);
    }
}
