using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// Mean and standard deviation over seeds, elementwise for the accuracy matrix. The std is the sample std
/// (n − 1 in the denominator), the usual choice for "mean ± std over N seeds"; one seed gives 0.
/// </summary>
public static class SweepStatistics
{
    public static MetricSummary Mean(IReadOnlyList<RunResult> results) => Summarise(results, Mean);
    public static MetricSummary Std(IReadOnlyList<RunResult> results) => Summarise(results, Std);

    public static double Mean(IReadOnlyList<double> xs) => xs.Count == 0 ? double.NaN : xs.Average();

    public static double Std(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        if (xs.Count == 1) return 0;
        double mean = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
    }

    static MetricSummary Summarise(IReadOnlyList<RunResult> results, Func<IReadOnlyList<double>, double> reduce)
    {
        if (results.Count == 0) return new MetricSummary([], double.NaN, double.NaN, double.NaN);
        var shape = results[0].AccuracyMatrix;
        if (results.Any(r => r.AccuracyMatrix.Length != shape.Length || r.AccuracyMatrix.Where((row, i) => row.Length != shape[i].Length).Any()))
            throw new ArgumentException("All results of a sweep point must have accuracy matrices of the same shape.");
        var matrix = shape.Select((row, i) => row.Select((_, j) => reduce(results.Select(r => r.AccuracyMatrix[i][j]).ToArray())).ToArray()).ToArray();
        return new MetricSummary(matrix,
            reduce(results.Select(r => r.AverageAccuracy).ToArray()),
            reduce(results.Select(r => r.Forgetting).ToArray()),
            reduce(results.Select(r => r.BackwardTransfer).ToArray()));
    }
}
