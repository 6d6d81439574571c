using System.Collections.Concurrent;
using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Benchmarks;

/// <summary>
/// TorchSharp's Scalar-lifetime race (docs/torchsharp-on-debian.md) under garbage-collection stress: many short Adam
/// runs, two at a time as the dashboard's queue runs them, so one thread's allocations trigger collections while the
/// other is inside libtorch. Run it with DOTNET_GCgen0size=0x80000 (a 512 KB gen-0 budget: a collection every few
/// hundred allocations). Before the engine's own optimizer steps, 1 of 48 such runs failed with
/// "Unknown scalar type … mul_"; a run is counted as failed whatever its error.
/// </summary>
public static class ScalarRaceSoak
{
    public static object Run(DataSetCatalog catalog, int runs)
    {
        // split-mnist-5's mlp and Adam, 60 steps per task: 300 Adam steps and 5 full evaluations per run.
        var config = Presets.Get(Presets.SplitMnist5) with { HiddenSizes = [200, 200], IterationsPerTask = 60, EvalEvery = 20 };
        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            using var run = new TrainingRun(config with { Seed = i }, catalog);
            run.Execute();
            if (run.Status != RunStatus.Finished) failures.Add($"seed {i}: {run.Status} {run.Error}");
            // Progress on stderr, so a long soak shows where it is (stdout keeps the one JSON report).
            Console.Error.WriteLine($"run {i}: {run.Status} after {clock.Elapsed.TotalSeconds:F0} s");
        });
        return new
        {
            benchmark = $"scalar-race soak: {runs} runs of split-mnist-5 (mlp 2x200, Adam 0.001, 5 tasks x 60 steps), two at a time",
            gen0size = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "(unset: run with DOTNET_GCgen0size=0x80000)",
            runs, failed = failures.Count, failures = failures.Order().ToArray(),
            gcCollections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) },
            minutes = Math.Round(clock.Elapsed.TotalMinutes, 1),
        };
    }
}
