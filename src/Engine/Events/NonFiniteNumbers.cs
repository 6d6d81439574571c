namespace ContinualLearning.Engine.Events;

/// <summary>An event was refused because it carries NaN or ±∞, which JSON, charts and the database cannot hold.</summary>
public sealed class NonFiniteEventException(RunEventKind kind, string field)
    : InvalidOperationException($"The run produced a non-finite number ({field} of a {kind} event), so it was stopped; lower the learning rate or the strategy's strength.")
{
    public string Field { get; } = field;
}

/// <summary>Finds the first non-finite number in an event, by its JSON field name; null when every number is finite.</summary>
public static class NonFiniteNumbers
{
    public static string? FirstIn(RunEvent e)
    {
        if (e.Loss is { } loss && !double.IsFinite(loss)) return "loss";
        if (e.Accuracies is { } accuracies && !AllFinite(accuracies)) return "accuracies";
        if (e.Result is { } r)
        {
            if (!r.AccuracyMatrix.All(AllFinite)) return "result.accuracyMatrix";
            if (!double.IsFinite(r.AverageAccuracy)) return "result.averageAccuracy";
            if (!double.IsFinite(r.Forgetting)) return "result.forgetting";
            if (!AllFinite(r.ForgettingPerTask)) return "result.forgettingPerTask";
            if (!double.IsFinite(r.BackwardTransfer)) return "result.backwardTransfer";
            if (r.InitialAccuracies is { } initial && !AllFinite(initial)) return "result.initialAccuracies";
            if (r.ForwardTransfer is { } forward && !double.IsFinite(forward)) return "result.forwardTransfer";
        }
        return null;
    }

    static bool AllFinite(double[] values) => values.All(double.IsFinite);
}
