using System.Text.Json;

namespace ContinualLearning.Cli.Tests;

public class RunCommandTests
{
    static JsonElement Json(ContinualCommand.Output output)
    {
        Assert.True(output.ExitCode == 0, output.StdErr);
        return JsonDocument.Parse(output.StdOut).RootElement;
    }

    static double[][] Matrix(JsonElement result) =>
        result.GetProperty("accuracyMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    [Fact]
    public void JsonResultHasTheDocumentedShapeAndTheSeedsEffect()
    {
        var result = Json(ContinualCommand.Run("run", "--json"));
        var config = result.GetProperty("config");
        Assert.Equal("naive", config.GetProperty("strategy").GetString());
        Assert.Equal("0-4|5-9", config.GetProperty("tasks").GetString());
        Assert.Equal(0.01, config.GetProperty("learningRate").GetDouble());
        Assert.Equal(64, config.GetProperty("batchSize").GetInt32());
        var r = Matrix(result);
        Assert.True(r[0][0] > 85 && r[1][0] < 30, $"R = {JsonSerializer.Serialize(r)}");
        foreach (var field in new[] { "averageAccuracy", "forgetting", "backwardTransfer", "forwardTransfer", "durationMs" })
            Assert.Equal(JsonValueKind.Number, result.GetProperty(field).ValueKind);
        // Forward transfer: task 2 just before training it, against the untrained model (both from the same run).
        var initial = result.GetProperty("initialAccuracies").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(r[0][1] - initial[1], result.GetProperty("forwardTransfer").GetDouble(), 9);
        var dataset = result.GetProperty("dataset");
        Assert.Equal("mnist-10k", dataset.GetProperty("name").GetString());
        Assert.Equal(8000, dataset.GetProperty("trainSize").GetInt32());
        Assert.True(dataset.GetProperty("bundledSubset").GetBoolean());
    }

    [Fact]
    public void SameSeedGivesTheSameMatrixAcrossProcesses()
    {
        string[] args = ["run", "--json", "--strategy", "replay", "--model", "mlp", "--hidden-sizes", "32", "--seed", "5"];
        Assert.Equal(Matrix(Json(ContinualCommand.Run(args))), Matrix(Json(ContinualCommand.Run(args))));
    }

    [Fact]
    public void ReplayOptionsReachTheEngine()
    {
        var naive = Matrix(Json(ContinualCommand.Run("run", "--json", "--seed", "2")));
        var replay = Json(ContinualCommand.Run("run", "--json", "--seed", "2", "--strategy", "replay", "--replay-ratio", "0.5"));
        Assert.Equal(0.5, replay.GetProperty("config").GetProperty("replayRatio").GetDouble());
        Assert.True(Matrix(replay)[1][0] >= naive[1][0] + 30);
    }

    [Fact]
    public void HumanSummaryShowsTheMatrix()
    {
        var output = ContinualCommand.Run("run", "--tasks", "0,1|2,3|4,5");
        Assert.Equal(0, output.ExitCode);
        Assert.Contains("after \\ on", output.StdOut);
        Assert.Contains("task 3", output.StdOut);
        Assert.Contains("average accuracy", output.StdOut);
        Assert.Contains("forward transfer", output.StdOut);
        Assert.Contains("task 3 done", output.StdErr);
    }

    [Theory]
    [InlineData("--replay-ratio", "1.5", "--replay-ratio must be between 0 and 1")]
    [InlineData("--lr", "-1", "--lr must be greater than 0")]
    [InlineData("--tasks", "0-4|4-9", "--tasks class 4 appears in more than one task")]
    [InlineData("--dataset", "imagenet", "--dataset must be one of")]
    [InlineData("--hidden-sizes", "a,b", "--hidden-sizes must be comma-separated whole numbers")]
    public void BadOptionsExitNonZeroNamingTheOptionAndRule(string option, string value, string message)
    {
        var output = ContinualCommand.Run("run", option, value);
        Assert.Equal(2, output.ExitCode);
        Assert.Contains(message, output.StdErr);
        Assert.Equal("", output.StdOut);
    }

    [Fact]
    public void HelpDocumentsEveryOption()
    {
        var output = ContinualCommand.Run("run", "--help");
        Assert.Equal(0, output.ExitCode);
        foreach (var option in new[] { "--dataset", "--tasks", "--model", "--strategy", "--replay-ratio", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--data-dir", "--eval-every", "--json" })
            Assert.Contains(option, output.StdOut);
    }

    [Fact]
    public void HelpListsEveryDeclaredStrategyParameterAndTheValidatorNamesItsOption()
    {
        var output = ContinualCommand.Run("run", "--help");
        Assert.Equal(0, output.ExitCode);
        foreach (var (parameter, _) in ContinualLearning.Engine.Strategies.StrategyRegistry.Parameters) Assert.Contains(parameter.Option, output.StdOut);
        Assert.Contains("--der-alpha", output.StdOut); // declared only in der's own file

        var refused = ContinualCommand.Run("run", "--strategy", "der", "--der-alpha", "-1");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--der-alpha must be between 0 and 100", refused.StdErr);
    }
}
