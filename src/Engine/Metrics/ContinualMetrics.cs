namespace ContinualLearning.Engine.Metrics;

/// <summary>
/// Standard continual-learning summaries of an accuracy matrix R, where R[i][j] is the accuracy (%) on task j's
/// test set after training task i (Lopez-Paz and Ranzato 2017; Chaudhry et al. 2018).
/// </summary>
public static class ContinualMetrics
{
    /// <summary>Mean accuracy over all tasks after the last task.</summary>
    public static double AverageAccuracy(double[][] r) => r.Length == 0 ? 0 : r[^1].Average();

    /// <summary>Per earlier task: best accuracy seen before the last task minus the final accuracy. The last task has none.</summary>
    public static double[] ForgettingPerTask(double[][] r)
    {
        int last = r.Length - 1;
        if (last < 1) return [];
        return Enumerable.Range(0, last).Select(j => Enumerable.Range(0, last).Max(i => r[i][j]) - r[last][j]).ToArray();
    }

    public static double Forgetting(double[][] r)
    {
        var perTask = ForgettingPerTask(r);
        return perTask.Length == 0 ? 0 : perTask.Average();
    }

    /// <summary>
    /// Forward transfer (Lopez-Paz and Ranzato 2017, as Avalanche computes it): mean over tasks t ≥ 2 of R[t-1][t] − b[t],
    /// the accuracy on task t just before training it minus b[t], the accuracy on task t of the randomly initialised
    /// model (the run's own initial weights, so the same seed). Positive when earlier tasks already help with a later
    /// one; 0 with fewer than two tasks or when b does not cover every task.
    /// </summary>
    public static double ForwardTransfer(double[][] r, double[] initial)
    {
        if (r.Length < 2 || initial.Length < r.Length) return 0;
        return Enumerable.Range(1, r.Length - 1).Average(t => r[t - 1][t] - initial[t]);
    }

    /// <summary>Mean over earlier tasks of R[T-1][i] - R[i][i]: negative when learning later tasks hurt earlier ones.</summary>
    public static double BackwardTransfer(double[][] r)
    {
        int last = r.Length - 1;
        return last < 1 ? 0 : Enumerable.Range(0, last).Average(i => r[last][i] - r[i][i]);
    }
}
