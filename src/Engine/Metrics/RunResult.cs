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
    public static RunResult From(RunConfig config, double[][] matrix, long durationMs, DataSetInfo dataset) => new(
        config, matrix,
        ContinualMetrics.AverageAccuracy(matrix),
        ContinualMetrics.Forgetting(matrix),
        ContinualMetrics.ForgettingPerTask(matrix),
        ContinualMetrics.BackwardTransfer(matrix),
        durationMs, dataset);
}
