using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Metrics;

public sealed record DataSetInfo(string Name, int TrainSize, int TestSize, bool BundledSubset);

/// <summary>The outcome of a finished run; what `continual run --json` prints and the hub's finished event carries.</summary>
public sealed record RunResult(
    RunConfig Config,
    double[][] AccuracyMatrix,
    double AverageAccuracy,
    double Forgetting,
    double[] ForgettingPerTask,
    double BackwardTransfer,
    long DurationMs,
    DataSetInfo Dataset)
{
    /// <summary>Accuracy (%) on each task's test set of the model before any training (same seed): forward transfer's reference.
    /// Null in results stored before it was measured.</summary>
    public double[]? InitialAccuracies { get; init; }

    /// <summary>Forward transfer (ContinualMetrics.ForwardTransfer) in points; null when InitialAccuracies is.</summary>
    public double? ForwardTransfer { get; init; }

    public static RunResult From(RunConfig config, double[][] matrix, long durationMs, DataSetInfo dataset, double[]? initialAccuracies = null) => new(
        config, matrix,
        ContinualMetrics.AverageAccuracy(matrix),
        ContinualMetrics.Forgetting(matrix),
        ContinualMetrics.ForgettingPerTask(matrix),
        ContinualMetrics.BackwardTransfer(matrix),
        durationMs, dataset)
    {
        InitialAccuracies = initialAccuracies,
        ForwardTransfer = initialAccuracies is null ? null : ContinualMetrics.ForwardTransfer(matrix, initialAccuracies),
    };
}
