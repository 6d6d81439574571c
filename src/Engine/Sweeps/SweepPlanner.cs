namespace ContinualLearning.Engine.Sweeps;

/// <summary>Expands a sweep into its runs: value by value, seed by seed (config seed, seed+1, …).</summary>
public static class SweepPlanner
{
    public static int[] Seeds(SweepSpec spec) => Enumerable.Range(0, spec.Seeds).Select(k => spec.Config.Seed + k).ToArray();

    public static IReadOnlyList<SweepRunPlan> Plan(SweepSpec spec)
    {
        var seeds = Seeds(spec);
        return spec.Values.SelectMany((value, point) => seeds.Select((seed, k) =>
            new SweepRunPlan(point, value, k, SweepParameters.With(spec.Config, spec.Param, value) with { Seed = seed }))).ToArray();
    }
}
