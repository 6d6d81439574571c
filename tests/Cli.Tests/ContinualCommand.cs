using System.Diagnostics;

namespace ContinualLearning.Cli.Tests;

/// <summary>Runs the real `continual` program (built next to the tests) as a separate process.</summary>
public static class ContinualCommand
{
    public sealed record Output(int ExitCode, string StdOut, string StdErr);

    public static Output Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "continual.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "cl-cli-home");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) { process.Kill(true); throw new TimeoutException("continual did not finish"); }
        return new Output(process.ExitCode, stdout.Result, stderr.Result);
    }
}
