using System.Text.Json;

namespace ContinualLearning.Cli.Tests;

public class SweepCommandTests
{
    /// <summary>
    /// The issue's property, with the issue's exact command: more replay keeps more of task 1 (mean over 3 seeds),
    /// and every point carries its per-seed results with mean and std. 15 real runs of ~0.3 s.
    /// </summary>
    [Fact]
    public void ReplayRatioSweepRaisesMeanTask1AccuracyMonotonicallyAndReportsMeanAndStd()
    {
        var output = ContinualCommand.Run("sweep", "--param", "replayRatio", "--values", "0,0.1,0.3,0.5,1", "--seeds", "3", "--json");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var root = JsonDocument.Parse(output.StdOut).RootElement;

        Assert.Equal("replayRatio", root.GetProperty("param").GetString());
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal([0, 0.1, 0.3, 0.5, 1], points.Select(p => p.GetProperty("value").GetDouble()));
        foreach (var point in points)
        {
            var results = point.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal([0, 1, 2], results.Select(r => r.GetProperty("config").GetProperty("seed").GetInt32()));
            Assert.All(results, r => Assert.Equal(point.GetProperty("value").GetDouble(), r.GetProperty("config").GetProperty("replayRatio").GetDouble()));
            foreach (var summary in new[] { "mean", "std" })
                foreach (var field in new[] { "averageAccuracy", "forgetting", "backwardTransfer" })
                    Assert.Equal(JsonValueKind.Number, point.GetProperty(summary).GetProperty(field).ValueKind);
            // The mean really is the mean of the per-seed results.
            double meanOfSeeds = results.Average(r => r.GetProperty("accuracyMatrix")[1][0].GetDouble());
            Assert.Equal(meanOfSeeds, point.GetProperty("mean").GetProperty("accuracyMatrix")[1][0].GetDouble(), 9);
        }

        var task1 = points.Select(p => p.GetProperty("mean").GetProperty("accuracyMatrix")[1][0].GetDouble()).ToArray();
        for (int i = 1; i < task1.Length; i++)
            Assert.True(task1[i] > task1[i - 1], $"mean task-1 accuracy after task 2 by ratio: {string.Join(", ", task1.Select(v => v.ToString("0.0")))}");
    }

    [Fact]
    public void HumanTableShowsMeanPlusMinusStdPerValue()
    {
        var output = ContinualCommand.Run("sweep", "--strategy", "replay", "--values", "0,0.5", "--seeds", "2");
        Assert.True(output.ExitCode == 0, output.StdErr);
        Assert.Contains("replayRatio", output.StdOut);
        Assert.Contains("±", output.StdOut);
        Assert.Contains("task 1 final", output.StdOut);
        Assert.Contains("run 4/4", output.StdErr);
    }

    [Fact]
    public void WithoutValuesItRepeatsTheConfigAsGivenOverTheSeeds()
    {
        var output = ContinualCommand.Run("sweep", "--seeds", "2", "--seed", "4", "--json");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var point = Assert.Single(JsonDocument.Parse(output.StdOut).RootElement.GetProperty("points").EnumerateArray());
        var configs = point.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("config")).ToArray();
        Assert.Equal([4, 5], configs.Select(c => c.GetProperty("seed").GetInt32()));
        Assert.All(configs, c => Assert.Equal("naive", c.GetProperty("strategy").GetString())); // no strategy switch for a repeat
    }

    [Fact]
    public void InvalidSweepsExitWithErrorsNamingTheOptions()
    {
        var output = ContinualCommand.Run("sweep", "--param", "epochs", "--values", "1,2.5,0", "--seeds", "30", "--model", "nope");
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("--seeds must be between 1 and 20", output.StdErr);
        Assert.Contains("--values 2.5: epochs takes whole numbers", output.StdErr);
        Assert.Contains("--values 0: epochs must be between 1 and 100", output.StdErr);
        Assert.Contains("--model must be one of", output.StdErr);
        Assert.Empty(output.StdOut);

        var unknown = ContinualCommand.Run("sweep", "--param", "colour", "--values", "1");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--param must be one of replayRatio", unknown.StdErr);
    }
}
