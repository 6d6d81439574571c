using System.Text.Json;

namespace ContinualLearning.Cli.Tests;

public class PresetAndScenarioTests
{
    [Fact]
    public void PresetGivesTheBaseAndOptionsOverrideIt()
    {
        var output = ContinualCommand.Run("run", "--json", "--preset", "split-mnist-5", "--iterations-per-task", "2", "--hidden-sizes", "16",
            "--strategy", "ewc", "--ewc-lambda", "50");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var config = JsonDocument.Parse(output.StdOut).RootElement.GetProperty("config");
        Assert.Equal("split-mnist-5", config.GetProperty("preset").GetString());
        Assert.Equal("0,1|2,3|4,5|6,7|8,9", config.GetProperty("tasks").GetString());
        Assert.Equal("adam", config.GetProperty("optimizer").GetString());
        Assert.Equal(128, config.GetProperty("batchSize").GetInt32());
        Assert.Equal(2, config.GetProperty("iterationsPerTask").GetInt32());
        Assert.Equal(16, config.GetProperty("hiddenSizes")[0].GetInt32());
        Assert.Equal(50, config.GetProperty("ewcLambda").GetDouble());
        Assert.Equal(5, JsonDocument.Parse(output.StdOut).RootElement.GetProperty("accuracyMatrix").GetArrayLength());
    }

    [Fact]
    public void StrategyThatDoesNotFitTheScenarioIsRefusedNamingTheOption()
    {
        var output = ContinualCommand.Run("run", "--preset", "split-mnist-5", "--strategy", "pnn");
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("--strategy pnn needs scenario task-incremental", output.StdErr);
        Assert.Contains("--preset must be one of", ContinualCommand.Run("run", "--preset", "nope").StdErr);
    }
}
