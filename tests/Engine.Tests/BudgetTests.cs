using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Sweeps;
using ContinualLearning.Engine.Tasks;

namespace ContinualLearning.Engine.Tests;

/// <summary>Issue 8: bounds before expansion, bounded errors, nulls, pace, and the cost budget (RunCostEstimate).</summary>
public class BudgetTests
{
    static IReadOnlyList<ConfigError> Errors(RunConfig c, RunBudget? budget = null) => ConfigValidator.Validate(c, TestData.Catalog, budget);
    static DataSetEntry Mnist => DataSetCatalog.DefaultEntries().Single(e => e.Name == DataSetCatalog.Mnist);
    static DataSetEntry Bundled => DataSetCatalog.DefaultEntries().Single(e => e.Name == DataSetCatalog.BundledMnist);

    [Theory]
    [InlineData("0-2147483647")]
    [InlineData("1-2147483647")]
    [InlineData("0-10000000")]
    [InlineData("99999999999999999999999")]
    [InlineData("0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|29|30|31|32|33|34|35|36|37|38|39|40|41|42|43|44|45|46|47|48|49|50|51")]
    public void HugeSplitsAreRefusedShortlyBeforeAnythingIsExpanded(string tasks)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var errors = Errors(new RunConfig { Tasks = tasks });
        Assert.Contains(errors, e => e.Field == "tasks");
        Assert.All(errors, e => Assert.True(e.Message.Length <= ConfigErrors.MaxMessageLength, e.Message));
        // Enumerating two billion classes would allocate gigabytes; checking the ends allocates almost nothing.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 2_000_000, "validation allocated too much");
    }

    [Fact]
    public void AGiantSplitIsRefusedByLength()
    {
        var giant = string.Join("|", Enumerable.Range(0, 100_000).Select(i => "0"));
        Assert.False(TaskSplit.TryParse(giant, out _, out var error));
        Assert.Contains("at most", error);
        Assert.True(error.Length < 200);
    }

    [Fact]
    public void ListsOfOffendingClassesAreCut()
    {
        var error = Assert.Single(Errors(new RunConfig { Tasks = "0-999" }), e => e.Field == "tasks");
        Assert.Contains("10, 11, 12, 13, 14 and 985 more", error.Message);
    }

    [Fact]
    public void EveryMessageAndTheListOfErrorsAreBounded()
    {
        var long_ = new ConfigError(new string('f', 10_000), new string('m', 1_000_000));
        Assert.True(long_.Field.Length <= ConfigErrors.MaxFieldLength);
        Assert.True(long_.Message.Length <= ConfigErrors.MaxMessageLength);
        var many = Enumerable.Range(0, 500).Select(i => new ConfigError("values", $"problem {i}")).ToArray();
        var bounded = ConfigErrors.Bounded(many);
        Assert.Equal(ConfigErrors.MaxErrors, bounded.Count);
        Assert.Contains("481 more", bounded[^1].Message);
    }

    [Fact]
    public void NullFieldsAreNamedNotThrown()
    {
        var config = new RunConfig { Dataset = null!, Tasks = null!, HiddenSizes = null!, Strategy = null!, EwcMode = null! };
        var fields = Errors(config).Select(e => e.Field).ToArray();
        Assert.Equal(["dataset", "tasks", "hiddenSizes", "strategy", "ewcMode"], fields);
        Assert.All(Errors(config), e => Assert.Contains("must not be null", e.Message));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0.5, true)]
    [InlineData(8, true)]
    [InlineData(10_000, true)]
    [InlineData(0.0001, false)]
    [InlineData(1e-300, false)]
    [InlineData(0.49, false)]
    [InlineData(-1, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    [InlineData(10_001, false)]
    public void PaceIsFullSpeedOrAtLeastHalfAStepPerSecond(double pace, bool valid)
    {
        Assert.Equal(valid, ConfigValidator.CheckPace(pace) is null);
        Assert.Equal(valid, !Errors(new RunConfig { Pace = pace }).Any(e => e.Field == "pace"));
    }

    public static TheoryData<string> PresetNames => [.. Presets.Names];

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void PresetsFitTheDefaultBudgetOnEveryDataSetAndWithEveryStrategy(string preset)
    {
        foreach (var dataset in DataSetCatalog.DefaultEntries().Select(e => e.Name))
            foreach (var strategy in ContinualLearning.Engine.Strategies.StrategyRegistry.Names)
            {
                var config = Presets.Get(preset) with { Dataset = dataset, Strategy = strategy };
                if (strategy == "pnn") config = config with { Scenario = Scenarios.TaskIncremental, Model = "mlp", Tasks = config.Scenario == Scenarios.DomainIncremental ? "0,1|2,3|4,5|6,7|8,9" : config.Tasks };
                Assert.Empty(ConfigValidator.Validate(config));
            }
    }

    [Fact]
    public void OrdinaryDesignerConfigsFitTheDefaultBudget()
    {
        // The seed at the dashboard's pace, a wide MLP on full MNIST over 5 epochs, a CNN over 2 epochs, EWC online at 4096 width.
        Assert.Empty(ConfigValidator.Validate(new RunConfig { Pace = 8 }));
        Assert.Empty(ConfigValidator.Validate(new RunConfig { Dataset = "mnist", Model = "mlp", HiddenSizes = [1024, 1024], Optimizer = "adam", Epochs = 5 }));
        Assert.Empty(ConfigValidator.Validate(new RunConfig { Dataset = "mnist", Model = "cnn", Optimizer = "adam", Epochs = 2 }));
        Assert.Empty(ConfigValidator.Validate(Presets.Get(Presets.PermutedMnist10) with { Strategy = "ewc", EwcMode = "online", HiddenSizes = [2048, 2048] }));
        Assert.Empty(ConfigValidator.Validate(Presets.Get(Presets.SplitMnist5) with { Strategy = "pnn", Scenario = Scenarios.TaskIncremental, HiddenSizes = [1000, 1000] }));
    }

    [Fact]
    public void ThePnnAttackIsRefusedByItsModelState()
    {
        var config = new RunConfig { Strategy = "pnn", Scenario = Scenarios.TaskIncremental, Model = "mlp", Tasks = "0|1|2|3|4|5|6|7|8|9", HiddenSizes = [4096, 4096, 4096, 4096] };
        var estimate = RunCostEstimate.For(config, Bundled);
        Assert.InRange(estimate.Parameters, 2.7e9, 2.9e9); // the issue measured 2.8 billion parameters
        var error = Assert.Single(Errors(config), e => e.Message.Contains("model state"));
        Assert.Equal("hiddenSizes", error.Field);
        Assert.Matches(@"model state would need about \d+(\.\d)? GB \(limit 1 GB\)", error.Message);
    }

    [Fact]
    public void EwcSeparateOverFiftyPermutationsIsRefusedAndOnlineModeIsSuggested()
    {
        var config = new RunConfig
        {
            Strategy = "ewc", Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 50, Model = "mlp",
            HiddenSizes = [4096, 4096, 4096, 4096], IterationsPerTask = 1,
        };
        var estimate = RunCostEstimate.For(config, Bundled);
        Assert.InRange(estimate.StrategyBytes / (1 << 30), 19, 23); // the issue's "about 21 GB"
        var error = Assert.Single(Errors(config), e => e.Message.Contains("model state"));
        Assert.Equal("ewcMode", error.Field);
        Assert.Contains("online", error.Message);
    }

    [Fact]
    public void FiveMillionStepsAreRefusedForTheirCompute()
    {
        var config = Presets.Get(Presets.PermutedMnist) with { Model = "linear", Permutations = 50, IterationsPerTask = 100_000, EvalEvery = 100_000 };
        Assert.Equal(5_000_000, RunCostEstimate.For(config, Bundled).TotalSteps);
        var errors = Errors(config);
        Assert.Contains(errors, e => e.Field == "iterationsPerTask" && e.Message.Contains("limit 30 minutes"));
        Assert.Contains(errors, e => e.Field == "iterationsPerTask" && e.Message.Contains("events (limit 200,000)"));
    }

    [Fact]
    public void PaceNeverCountsTowardTheTimeBudget()
    {
        // split-mnist-5-paper's 10,000 steps at 1 step/s would once have taken ~3 hours; training no longer waits for the pace.
        var config = Presets.Get(Presets.SplitMnist5Paper) with { Pace = 1 };
        Assert.Empty(Errors(config));
        var data = ConfigValidator.DataSetEntryFor(config.Dataset, TestData.Catalog)!;
        Assert.Equal(RunCostEstimate.For(config with { Pace = 0 }, data).ComputeSeconds, RunCostEstimate.For(config, data).ComputeSeconds);
    }

    [Fact]
    public void EvaluatingEveryStepOfALongRunNamesEvalEvery()
    {
        var config = Presets.Get(Presets.SplitMnist5Paper) with { Model = "linear", IterationsPerTask = 20_000, EvalEvery = 1 };
        Assert.Contains(Errors(config), e => e.Field == "evalEvery" && e.Message.Contains("events"));
    }

    [Fact]
    public void ARaisedBudgetLetsABiggerRunThrough()
    {
        var config = Presets.Get(Presets.SplitMnist5Paper);
        double minutes = RunCostEstimate.For(config, ConfigValidator.DataSetEntryFor(config.Dataset, TestData.Catalog)!).ComputeSeconds / 60;
        Assert.Contains(Errors(config, new RunBudget(ComputeMinutes: minutes / 2)), e => e.Field == "epochs" || e.Field == "iterationsPerTask");
        Assert.Empty(Errors(config, new RunBudget(ComputeMinutes: minutes * 2)));
        Assert.NotNull(new RunBudget(ModelStateMB: 0).Problem());
        Assert.NotNull(new RunBudget(ComputeMinutes: double.NaN).Problem());
    }

    [Fact]
    public void StepsFollowTheDataSetSizeBatchEpochsAndReplay()
    {
        var seed = RunCostEstimate.For(new RunConfig(), Bundled);
        Assert.InRange(seed.TotalSteps, 124, 128); // 2 tasks of ~4,000 samples in batches of 64
        var full = RunCostEstimate.For(new RunConfig { Dataset = "mnist", Epochs = 3 }, Mnist);
        Assert.InRange(full.TotalSteps, 3 * 2 * 469 - 3, 3 * 2 * 469 + 3);
        var replay = RunCostEstimate.For(new RunConfig { Strategy = "replay", ReplayRatio = 1 }, Bundled);
        Assert.InRange(replay.TotalSteps, 124 + 62, 128 + 64); // task 2 also trains on all of task 1
        Assert.True(RunCostEstimate.For(new RunConfig { Strategy = "ewc", EwcMode = "separate", Tasks = "0|1|2|3|4|5|6|7|8|9" }, Bundled).StrategyBytes
            > 4 * RunCostEstimate.For(new RunConfig { Strategy = "ewc", EwcMode = "online", Tasks = "0|1|2|3|4|5|6|7|8|9" }, Bundled).StrategyBytes);
    }

    [Fact]
    public void SweepsAreBudgetedOverAllTheirRuns()
    {
        var paper = Presets.Get(Presets.SplitMnist5Paper);
        var one = RunCostEstimate.For(paper, Bundled);
        int seeds = (int)Math.Ceiling(30 * 60 / one.ComputeSeconds) + 1;
        Assert.Empty(SweepValidator.Validate(SweepSpec.Repeat(paper, 1)));
        var errors = SweepValidator.Validate(SweepSpec.Repeat(paper, Math.Min(seeds, SweepValidator.MaxSeeds))
            with { Values = [0.001, 0.002, 0.003, 0.004, 0.005], Param = "learningRate" });
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("values", e.Field));
        Assert.Contains(errors, e => e.Message.Contains("would take about") && e.Message.Contains("together (limit 30 minutes)"));
    }

    [Fact]
    public void ASweepValueOverTheBudgetIsNamedWithTheRuleItBreaks()
    {
        var errors = SweepValidator.Validate(new SweepSpec { Config = new RunConfig(), Param = "iterationsPerTask", Values = [100, 100_000], Seeds = 1 });
        var error = Assert.Single(errors);
        Assert.Equal("values", error.Field);
        Assert.StartsWith("100000: iterationsPerTask", error.Message);
    }

    [Fact]
    public void ReplayBatchesArePricedErDoublesAStepAndDerMore()
    {
        // The paper's split MNIST at 100 iterations: training dominates (evaluation is off), as in the calibration run.
        var naive = Presets.Get(Presets.SplitMnist5) with { IterationsPerTask = 100, EvalEvery = 100_000 };
        double Seconds(string strategy) => RunCostEstimate.For(naive with { Strategy = strategy }, Bundled).ComputeSeconds;
        Assert.InRange(Seconds("er") / Seconds("naive"), 1.8, 2.2);             // a replay batch as large as the current one
        Assert.InRange(Seconds("der") / Seconds("naive"), 2.8, 3.6);            // two memory batches and the logits it keeps
        Assert.Equal(Seconds("replay-reservoir"), Seconds("er"), 9);             // the same work, one concatenated batch
        var er = RunCostEstimate.For(naive with { Strategy = "er" }, Bundled);
        var der = RunCostEstimate.For(naive with { Strategy = "der" }, Bundled);
        Assert.Equal(8.0 * naive.MemoryPerClass * 10, er.StrategyBytes);        // an index and a task per kept sample
        Assert.Equal((8.0 + 4 * 10) * naive.MemoryPerClass * 10, der.StrategyBytes); // and der its 10 logits
        Assert.True(der.ActivationBytes > er.ActivationBytes);
    }

    [Fact]
    public void AgemMemoryIsPricedPerClassOfEveryTaskButTheLast()
    {
        var agem = Presets.Get(Presets.SplitMnist5) with { Strategy = "agem" };
        var perClass = RunCostEstimate.For(agem, Bundled).StrategyBytes;
        var doubled = RunCostEstimate.For(ContinualLearning.Engine.Strategies.StrategyParameterValues.With(agem, "agemMemoryPerClass", 200), Bundled).StrategyBytes;
        Assert.Equal(8.0 * 100 * 2 * 4, doubled - perClass);                    // 100 more samples of each of 8 classes
    }
}
