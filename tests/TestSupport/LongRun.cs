using ContinualLearning.Engine.Config;

namespace ContinualLearning.Testing;

/// <summary>
/// A run long enough to still be training when a test acts on it (cancel, watch mid-run), whatever this machine's
/// speed: training no longer waits for a pace, so length is the only way to keep a run going. About 90,000 steps of the
/// seed's linear model (tens of seconds on the 2-core machine), within the default budget; tests cancel it when done.
/// </summary>
public static class LongRun
{
    public static RunConfig Config { get; } = new() { IterationsPerTask = 45_000, EvalEvery = 1_000 };

    /// <summary>The same config as a REST / hub body.</summary>
    public static object Body { get; } = new { iterationsPerTask = 45_000, evalEvery = 1_000 };
}
