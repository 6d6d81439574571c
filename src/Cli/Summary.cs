using System.Text;
using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Cli;

/// <summary>The human-readable result: the accuracy matrix as a table and the summary metrics.</summary>
public static class Summary
{
    public static string Format(RunResult r)
    {
        var c = r.Config;
        var s = new StringBuilder();
        s.AppendLine($"{c.Strategy} on {r.Dataset.Name} ({r.Dataset.TrainSize} train / {r.Dataset.TestSize} test{(r.Dataset.BundledSubset ? ", bundled subset" : "")}), {c.Scenario}, tasks {(Engine.Config.Scenarios.IsPermuted(c) ? $"{c.Tasks} x {c.Permutations} permutations" : Engine.Config.Scenarios.IsSplitDomain(c) ? $"{c.Tasks} (labels: position within the task)" : c.Tasks)}, {c.Model}, {c.Optimizer} lr {c.LearningRate}, seed {c.Seed}");
        s.AppendLine();
        s.AppendLine("Accuracy (%) on each task's test set after training each task:");
        int n = r.AccuracyMatrix.Length;
        s.Append("after \\ on".PadRight(12));
        for (int j = 0; j < n; j++) s.Append($"task {j + 1}".PadLeft(9));
        s.AppendLine();
        for (int i = 0; i < n; i++)
        {
            s.Append($"task {i + 1}".PadRight(12));
            foreach (var v in r.AccuracyMatrix[i]) s.Append(v.ToString("0.0").PadLeft(9));
            s.AppendLine();
        }
        s.AppendLine();
        s.AppendLine($"average accuracy   {r.AverageAccuracy:0.0}%");
        s.AppendLine($"forgetting         {r.Forgetting:0.0} points");
        s.AppendLine($"backward transfer  {r.BackwardTransfer:0.0} points");
        if (r.ForwardTransfer is { } forward) s.AppendLine($"forward transfer   {forward:0.0} points (vs. the untrained model)");
        s.Append($"duration           {r.DurationMs} ms");
        return s.ToString();
    }
}
