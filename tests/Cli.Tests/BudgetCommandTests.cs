namespace ContinualLearning.Cli.Tests;

/// <summary>Issue 8: the CLI refuses what the dashboard refuses (same validator, same default budget), and can raise it.</summary>
public class BudgetCommandTests
{
    [Theory]
    [InlineData("--tasks", "0-2147483647", "--tasks task 1: class 2147483647 is too large")]
    [InlineData("--pace", "0.0001", "--pace must be 0 (as fast as available) or between 0.5 and 10000")]
    [InlineData("--iterations-per-task", "100000", "events (limit 200,000): train fewer steps (lower iterationsPerTask")]
    public void OverBudgetAndUnboundedOptionsAreRefusedNamingTheOption(string option, string value, string message)
    {
        var output = ContinualCommand.Run("run", option, value);
        Assert.Equal(2, output.ExitCode);
        Assert.Contains(message, output.StdErr);
        Assert.True(output.StdErr.Length < 2000, output.StdErr);
    }

    [Fact]
    public void ThePnnAttackIsRefusedAndABadBudgetOptionIsNamed()
    {
        var pnn = ContinualCommand.Run("run", "--strategy", "pnn", "--scenario", "task-incremental", "--model", "mlp",
            "--tasks", "0|1|2|3|4|5|6|7|8|9", "--hidden-sizes", "4096,4096,4096,4096");
        Assert.Equal(2, pnn.ExitCode);
        Assert.Contains("--hidden-sizes model state would need about", pnn.StdErr);
        var bad = ContinualCommand.Run("run", "--max-compute-minutes", "-1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("ComputeMinutes must be a number greater than 0", bad.StdErr);
    }

    [Fact]
    public void ARaisedBudgetIsAccepted()
    {
        // 2 tasks × 3 steps, each evaluated, with the task and run events: about 21 events, over 20, under 100.
        string[] args = ["run", "--json", "--iterations-per-task", "3", "--eval-every", "1", "--max-events", "20"];
        Assert.Equal(2, ContinualCommand.Run(args).ExitCode);
        Assert.Equal(0, ContinualCommand.Run([.. args[..^1], "100"]).ExitCode);
    }
}
