using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// A sweep: one numeric config field (<see cref="Param"/>, camelCase as in the config JSON) set to each of
/// <see cref="Values"/> in turn, each value run with <see cref="Seeds"/> seeds (config seed, seed+1, …).
/// Config is the fixed part. A repeat is a sweep with one value (or none: the config as given, over N seeds).
/// </summary>
public sealed record SweepSpec
{
    public RunConfig Config { get; init; } = new();
    public string Param { get; init; } = "replayRatio";
    public double[] Values { get; init; } = [];
    public int Seeds { get; init; } = 1;

    /// <summary>The same config over N seeds: the one value is the config's current value of the parameter.</summary>
    public static SweepSpec Repeat(RunConfig config, int seeds, string param = "replayRatio") =>
        new() { Config = config, Param = param, Values = [SweepParameters.Get(config, param) ?? 0], Seeds = seeds };
}

/// <summary>One planned run of a sweep: which point (value) it belongs to, which seed, and its full config.</summary>
public sealed record SweepRunPlan(int PointIndex, double Value, int SeedIndex, RunConfig Config);
