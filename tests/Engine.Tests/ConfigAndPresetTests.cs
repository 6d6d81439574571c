using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Tests;

public class ConfigAndPresetTests
{
    static string[] Fields(RunConfig c) => ConfigValidator.Validate(c).Select(e => e.Field).ToArray();

    [Fact]
    public void EveryPresetIsValidAndEveryStrategyIsRegistered()
    {
        Assert.All(Presets.Names, n => Assert.Empty(ConfigValidator.Validate(Presets.Get(n))));
        Assert.Subset(StrategyRegistry.Names.ToHashSet(), new HashSet<string> { "naive", "replay", "joint", "ewc", "si", "lwf", "agem", "generative-replay", "pnn" });
    }

    [Fact]
    public void SplitMnist5IsTheThreeTypesProtocol()
    {
        var c = Presets.Get(Presets.SplitMnist5);
        Assert.Equal("0,1|2,3|4,5|6,7|8,9", c.Tasks);
        Assert.Equal(("mlp", "adam", 0.001, 128), (c.Model, c.Optimizer, c.LearningRate, c.BatchSize));
        Assert.Equal([400, 400], c.HiddenSizes);
        Assert.Equal(2000, Presets.Get(Presets.SplitMnist5Paper).IterationsPerTask);
        Assert.Equal(Scenarios.DomainIncremental, Presets.Get(Presets.PermutedMnist).Scenario);
        Assert.Equal(10, Presets.Get(Presets.PermutedMnist10).Permutations);
    }

    [Fact]
    public void JsonConfigStartsFromThePresetAndExplicitFieldsWin()
    {
        var c = Presets.FromJson("""{ "preset": "split-mnist-5", "strategy": "ewc", "LearningRate": 0.01, "iterationsPerTask": 50 }""");
        Assert.Equal(("split-mnist-5", "ewc", 0.01, 50), (c.Preset, c.Strategy, c.LearningRate, c.IterationsPerTask));
        Assert.Equal(("mlp", 128), (c.Model, c.BatchSize));
        var plain = Presets.FromJson("""{ "strategy": "si" }""");
        var expected = new RunConfig { Strategy = "si" };
        Assert.Equal(expected.HiddenSizes, plain.HiddenSizes);
        Assert.Equal(expected, plain with { HiddenSizes = expected.HiddenSizes });
        Assert.Throws<ArgumentException>(() => Presets.FromJson("""{ "preset": "nope" }"""));
    }

    [Fact]
    public void PnnIsRefusedOutsideTaskIncrementalNamingTheField()
    {
        var errors = ConfigValidator.Validate(Presets.Get(Presets.SplitMnist5) with { Strategy = "pnn" });
        var error = Assert.Single(errors);
        Assert.Equal("strategy", error.Field);
        Assert.Contains("task-incremental", error.Message);
        Assert.Empty(ConfigValidator.Validate(Presets.Get(Presets.SplitMnist5) with { Strategy = "pnn", Scenario = Scenarios.TaskIncremental }));
        Assert.Contains("model", Fields(new RunConfig { Strategy = "pnn", Scenario = Scenarios.TaskIncremental }));
    }

    [Fact]
    public void DomainIncrementalTakesOneClassSetAndACountOfPermutations()
    {
        Assert.Empty(Fields(new RunConfig { Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 10 }));
        Assert.Contains("permutations", Fields(new RunConfig { Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 0 }));
    }

    [Fact]
    public void DomainIncrementalTakesTasksOfEqualSizeWhoseLabelsArePositions()
    {
        Assert.Empty(Fields(Presets.Get(Presets.SplitMnist5) with { Scenario = Scenarios.DomainIncremental }));
        Assert.Empty(Fields(new RunConfig { Scenario = Scenarios.DomainIncremental })); // 0-4|5-9: five outputs
        var error = Assert.Single(ConfigValidator.Validate(new RunConfig { Scenario = Scenarios.DomainIncremental, Tasks = "0,1|2,3|4" }));
        Assert.Equal("tasks", error.Field);
        Assert.Contains("same number of classes", error.Message);
        Assert.Contains("task 3 has 1", error.Message);
        // Each class still belongs to one task: its position there is its label.
        var repeated = Assert.Single(ConfigValidator.Validate(new RunConfig { Scenario = Scenarios.DomainIncremental, Tasks = "0,1|1,2" }));
        Assert.Equal("tasks", repeated.Field);
        Assert.Contains("more than one task", repeated.Message);
    }

    [Fact]
    public void StrategyFieldsAreRangeChecked()
    {
        var bad = new RunConfig
        {
            EwcLambda = -1, EwcMode = "both", EwcGamma = 0, FisherSamples = 0, SiC = double.NaN, LwfAlpha = -1, LwfTemperature = 0,
            GeneratorHidden = 1, GeneratorLatent = 0, Preset = "nope",
        };
        bad = StrategyParameterValues.With(StrategyParameterValues.With(bad, "agemMemoryPerClass", 0), "generatorIterationRatio", 0.5);
        Assert.Equal(
            new[] { "preset", "ewcLambda", "ewcMode", "ewcGamma", "fisherSamples", "siC", "lwfAlpha", "lwfTemperature", "agemMemoryPerClass", "generatorIterationRatio", "generatorHidden", "generatorLatent" }.Order(),
            Fields(bad).Order());
    }
}
