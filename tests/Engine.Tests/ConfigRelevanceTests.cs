using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Tests;

public class ConfigRelevanceTests
{
    [Theory]
    [InlineData("replayRatio", "replay", true)]
    [InlineData("replayRatio", "naive", false)]
    [InlineData("memoryPerClass", "replay-reservoir", true)]
    [InlineData("memoryPerClass", "replay", false)]
    [InlineData("ewcLambda", "ewc", true)]
    [InlineData("fisherSamples", "si", false)]
    [InlineData("siC", "si", true)]
    [InlineData("lwfTemperature", "lwf", true)]
    [InlineData("agemMemoryPerClass", "joint", false)]
    [InlineData("agemMemoryPerClass", "agem", true)]
    [InlineData("replayTemperature", "lwf", false)]
    [InlineData("generatorLatent", "generative-replay", true)]
    [InlineData("learningRate", "naive", true)]
    [InlineData("seed", "pnn", true)]
    public void StrategyParametersApplyOnlyToTheirStrategy(string field, string strategy, bool applies)
    {
        Assert.Contains(field, ConfigRelevance.Fields);
        Assert.Equal(applies, ConfigRelevance.Applies(new RunConfig { Strategy = strategy }, field));
    }

    [Fact]
    public void ModelScenarioAndOptimizerFieldsFollowTheirChoice()
    {
        var seed = new RunConfig(); // linear, sgd, class-incremental, naive
        Assert.False(ConfigRelevance.Applies(seed, "hiddenSizes"));
        Assert.True(ConfigRelevance.Applies(seed with { Model = "mlp" }, "hiddenSizes"));
        Assert.True(ConfigRelevance.Applies(seed with { Strategy = "pnn" }, "hiddenSizes"));   // pnn's columns use them
        Assert.False(ConfigRelevance.Applies(seed with { Strategy = "pnn" }, "model"));
        Assert.True(ConfigRelevance.Applies(seed, "momentum"));
        Assert.False(ConfigRelevance.Applies(seed with { Optimizer = "adam" }, "momentum"));
        Assert.False(ConfigRelevance.Applies(seed, "permutations"));
        Assert.True(ConfigRelevance.Applies(seed with { Scenario = Scenarios.DomainIncremental, Tasks = "0-9" }, "permutations"));
        Assert.False(ConfigRelevance.Applies(seed with { Scenario = Scenarios.DomainIncremental, Tasks = "0,1|2,3" }, "permutations")); // split: the tasks count
        Assert.True(ConfigRelevance.Applies(seed, "epochs"));
        Assert.False(ConfigRelevance.Applies(seed with { IterationsPerTask = 50 }, "epochs"));
        Assert.False(ConfigRelevance.Applies(seed with { Strategy = "ewc" }, "ewcGamma"));         // separate mode has no decay
        Assert.True(ConfigRelevance.Applies(seed with { Strategy = "ewc", EwcMode = "online" }, "ewcGamma"));
    }

    [Fact]
    public void FieldsAreTheJsonNamesOfRunConfig()
    {
        // Every field written out: the optional ones set, and strategy parameters declared beyond RunConfig's properties at their defaults.
        var config = ContinualLearning.Engine.Strategies.StrategyParameterValues.WithDeclaredDefaults(new RunConfig { Preset = "x", IterationsPerTask = 1, EwcLambda = 1, SiC = 1 });
        var json = System.Text.Json.JsonSerializer.SerializeToNode(config, EngineJson.Options)!.AsObject();
        Assert.Equal(json.Select(p => p.Key), ConfigRelevance.Fields);
        Assert.DoesNotContain("replayRatio", ConfigRelevance.AppliedFields(new RunConfig()));
        Assert.Contains("replayRatio", ConfigRelevance.AppliedFields(new RunConfig { Strategy = "replay" }));
    }
}
