using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Tests;

public class ConfigValidatorTests
{
    static IReadOnlyList<ConfigError> Errors(RunConfig c) => ConfigValidator.Validate(c, TestData.Catalog);

    [Fact]
    public void SeedDefaultsAreValid() => Assert.Empty(Errors(new RunConfig()));

    public static TheoryData<RunConfig, string, string> BadConfigs => new()
    {
        { new RunConfig { Dataset = "/etc/passwd" }, "dataset", "must be one of" },
        { new RunConfig { Scenario = "sideways" }, "scenario", "must be one of" },
        { new RunConfig { Model = "transformer" }, "model", "must be one of" },
        { new RunConfig { HiddenSizes = [] }, "hiddenSizes", "1 to 4" },
        { new RunConfig { HiddenSizes = [100, 0] }, "hiddenSizes", "between 1 and 4096" },
        { new RunConfig { Optimizer = "lbfgs" }, "optimizer", "must be one of" },
        { new RunConfig { LearningRate = 0 }, "learningRate", "greater than 0" },
        { new RunConfig { LearningRate = double.NaN }, "learningRate", "greater than 0" },
        { new RunConfig { Momentum = 1 }, "momentum", "between 0" },
        { new RunConfig { BatchSize = 0 }, "batchSize", "between 1 and 4096" },
        { new RunConfig { BatchSize = 100_000 }, "batchSize", "between 1 and 4096" },
        { new RunConfig { Epochs = 0 }, "epochs", "between 1 and 100" },
        { new RunConfig { Epochs = 1000 }, "epochs", "between 1 and 100" },
        { new RunConfig { IterationsPerTask = 0 }, "iterationsPerTask", "between 1 and 100000" },
        { new RunConfig { Strategy = "magic" }, "strategy", "must be one of" },
        { new RunConfig { ReplayRatio = 1.5 }, "replayRatio", "between 0 and 1" },
        { new RunConfig { ReplayRatio = -0.1 }, "replayRatio", "between 0 and 1" },
        { new RunConfig { MemoryPerClass = 0 }, "memoryPerClass", "between 1 and 10000" },
        { new RunConfig { Seed = -1 }, "seed", "0 or greater" },
        { new RunConfig { EvalEvery = 0 }, "evalEvery", "between 1 and 100000" },
        { new RunConfig { EvalSamplesPerTask = 5 }, "evalSamplesPerTask", "between 10 and 10000" },
        { new RunConfig { Pace = -1 }, "pace", "between 0" },
        { new RunConfig { Tasks = "" }, "tasks", "empty" },
        { new RunConfig { Tasks = "0-4||5-9" }, "tasks", "task 2 is empty" },
        { new RunConfig { Tasks = "0-4|5-10" }, "tasks", "class 10 does not exist" },
        { new RunConfig { Tasks = "0-5|5-9" }, "tasks", "class 5 appears in more than one task" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void EachRuleNamesItsFieldAndRule(RunConfig config, string field, string rule)
    {
        var error = Assert.Single(Errors(config));
        Assert.Equal(field, error.Field);
        Assert.Contains(rule, error.Message);
    }

    [Fact]
    public void AllProblemsAreReportedAtOnce()
    {
        var errors = Errors(new RunConfig { BatchSize = 0, ReplayRatio = 2, Model = "?" });
        Assert.Equal(["model", "batchSize", "replayRatio"], errors.Select(e => e.Field));
    }

    [Fact]
    public void InvalidConfigCannotStartARun()
    {
        var e = Assert.Throws<ConfigValidationException>(() => new Training.TrainingRun(new RunConfig { Epochs = 0 }, TestData.Catalog));
        Assert.Equal("epochs", Assert.Single(e.Errors).Field);
    }
}
