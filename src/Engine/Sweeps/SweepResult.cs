using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>Elementwise summary over seeds of the metrics that a sweep compares.</summary>
public sealed record MetricSummary(double[][] AccuracyMatrix, double AverageAccuracy, double Forgetting, double BackwardTransfer);

/// <summary>
/// One sweep value: its per-seed results (as `continual run --json` prints them) and their mean and std;
/// mean and std are null while no run of the value has finished (a sweep still going).
/// </summary>
public sealed record SweepPoint(double Value, IReadOnlyList<RunResult> Results, MetricSummary? Mean, MetricSummary? Std);

/// <summary>What `continual sweep --json` prints and GET /api/sweeps/{id} returns: one point per value, in the order given.</summary>
public sealed record SweepResult(string Param, int[] Seeds, IReadOnlyList<SweepPoint> Points)
{
    /// <summary>Groups finished runs by point (in plan order) and summarises each group.</summary>
    public static SweepResult From(SweepSpec spec, IEnumerable<(SweepRunPlan Plan, RunResult Result)> runs)
    {
        var byPoint = runs.GroupBy(r => r.Plan.PointIndex).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Plan.SeedIndex).Select(r => r.Result).ToList());
        var points = spec.Values.Select((value, i) =>
        {
            var results = byPoint.GetValueOrDefault(i) ?? [];
            return results.Count == 0
                ? new SweepPoint(value, results, null, null)
                : new SweepPoint(value, results, SweepStatistics.Mean(results), SweepStatistics.Std(results));
        }).ToArray();
        return new SweepResult(spec.Param, SweepPlanner.Seeds(spec), points);
    }
}
