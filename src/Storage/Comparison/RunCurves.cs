using ContinualLearning.Engine.Events;

namespace ContinualLearning.Storage.Comparison;

/// <summary>A run's curves, read back from its event history: training loss per step and live accuracy per task.</summary>
public sealed record RunCurves(long[] LossSteps, double[] Loss, long[] EvalSteps, double[][] AccuracyByTask)
{
    public static RunCurves From(IEnumerable<RunEvent> events)
    {
        var lossSteps = new List<long>();
        var loss = new List<double>();
        var evalSteps = new List<long>();
        var accuracies = new List<double[]>();
        foreach (var e in events)
        {
            if (e.Kind == RunEventKind.Step && e.Loss is double l) { lossSteps.Add(e.Step ?? 0); loss.Add(l); }
            if (e.Kind == RunEventKind.Evaluation && e.Accuracies is { } a) { evalSteps.Add(e.Step ?? 0); accuracies.Add(a); }
        }
        int tasks = accuracies.Count == 0 ? 0 : accuracies.Max(a => a.Length);
        var byTask = Enumerable.Range(0, tasks).Select(t => accuracies.Select(a => t < a.Length ? a[t] : double.NaN).ToArray()).ToArray();
        return new RunCurves(lossSteps.ToArray(), loss.ToArray(), evalSteps.ToArray(), byTask);
    }
}

/// <summary>A curve as mean and std over several runs (seeds), point by point over the steps all runs reached.</summary>
public sealed record CurveBand(long[] Steps, double[] Mean, double[] Std)
{
    public static CurveBand Of(IReadOnlyList<(long[] Steps, double[] Values)> curves)
    {
        if (curves.Count == 0) return new([], [], []);
        int n = curves.Min(c => Math.Min(c.Steps.Length, c.Values.Length)); // an interrupted run ends early
        var steps = curves[0].Steps.Take(n).ToArray();
        var mean = new double[n];
        var std = new double[n];
        for (int i = 0; i < n; i++)
        {
            var xs = curves.Select(c => c.Values[i]).ToArray();
            mean[i] = Engine.Sweeps.SweepStatistics.Mean(xs);
            std[i] = Engine.Sweeps.SweepStatistics.Std(xs);
        }
        return new CurveBand(steps, mean, std);
    }
}
