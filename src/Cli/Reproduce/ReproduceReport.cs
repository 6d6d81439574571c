using System.Globalization;
using System.Text;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Sweeps;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>Our figure for one cell: mean and sample standard deviation of the final average accuracy over the seeds.</summary>
public sealed record OurFigure(double Mean, double Sd, double[] PerSeed);

/// <summary>One strategy in one scenario, side by side: ours (or why there is none) and the paper's where it has one.</summary>
public sealed record ReproduceRow(string Strategy, string Scenario, string? PaperMethod, OurFigure? Ours, PaperFigure? Paper, string? Skipped,
    string? Failed, string? GroupId, IReadOnlyList<string> RunIds);

/// <summary>What `continual reproduce` prints (as a table, or as this record with --json).</summary>
public sealed record ReproduceReport(
    string Citation, string PaperTable, string PaperNote, string DomainNote,
    string Dataset, string DatasetTitle, int IterationsPerTask, string Budget, int[] Seeds, string[] Scenarios, string[] Strategies,
    IReadOnlyList<ReproduceRow> Rows, string? Database, bool Interrupted)
{
    public static ReproduceReport From(IReadOnlyList<CellOutcome> outcomes, string dataset, string datasetTitle, int iterations, string budget, int seeds,
        string[] scenarios, string[] strategies, string? database, bool interrupted) =>
        new(PaperFigures.Citation, PaperFigures.Table, PaperFigures.Note, PaperFigures.DomainNote, dataset, datasetTitle, iterations, budget,
            [.. Enumerable.Range(0, seeds)], scenarios, strategies,
            outcomes.Select(o =>
            {
                var accuracies = o.Results.Select(r => r.AverageAccuracy).ToArray();
                var ours = accuracies.Length == 0 ? null : new OurFigure(SweepStatistics.Mean(accuracies), SweepStatistics.Std(accuracies), accuracies);
                return new ReproduceRow(o.Cell.Strategy, o.Cell.Scenario, PaperFigures.MethodByStrategy.GetValueOrDefault(o.Cell.Strategy), ours,
                    PaperFigures.Find(o.Cell.Strategy, o.Cell.Scenario), o.Cell.SkippedBecause,
                    o.Failure ?? (accuracies.Length == 0 && o.Cancelled > 0 ? "cancelled before it finished" : null), o.GroupId, o.RunIds);
            }).ToArray(), database, interrupted);

    static string Short(string scenario) => scenario switch
    {
        Engine.Config.Scenarios.TaskIncremental => "task-IL",
        Engine.Config.Scenarios.DomainIncremental => "domain-IL",
        Engine.Config.Scenarios.ClassIncremental => "class-IL",
        _ => scenario,
    };

    static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The side-by-side table: one row per strategy, per scenario our mean ± sd and (when known) the paper's mean ± s.e.m.</summary>
    public string Table()
    {
        bool paper = Rows.Any(r => r.Paper is not null);
        // One footnote per strategy and reason, naming the scenarios it covers.
        var notes = Rows.Where(r => r.Ours is null)
            .GroupBy(r => (r.Strategy, Reason: r.Skipped is { } why ? $"skipped: {why}" : $"failed: {r.Failed}"))
            .Select(g => (g.Key.Strategy, g.Key.Reason, Text: $"{g.Key.Strategy} in {string.Join(" and ", g.Select(r => r.Scenario))}: {g.Key.Reason}"))
            .ToList();
        string Note(string strategy, string reason) => $"({notes.FindIndex(n => n.Strategy == strategy && n.Reason == reason) + 1})";

        var columns = new List<string> { "strategy" };
        foreach (var scenario in Scenarios)
        {
            columns.Add($"{Short(scenario)} ours");
            if (paper) columns.Add($"{Short(scenario)} paper");
        }
        var lines = Strategies.Select(strategy =>
        {
            var row = new List<string> { strategy };
            foreach (var scenario in Scenarios)
            {
                var cell = Rows.First(r => r.Strategy == strategy && r.Scenario == scenario);
                row.Add(cell.Ours is { } o ? $"{F(o.Mean)} ± {F(o.Sd)}{(o.PerSeed.Length < Seeds.Length ? $" (n={o.PerSeed.Length})" : "")}"
                    : cell.Skipped is { } why ? $"skipped {Note(strategy, $"skipped: {why}")}"
                    : $"{(cell.Failed!.StartsWith("cancelled") ? "not run" : "failed")} {Note(strategy, $"failed: {cell.Failed}")}");
                if (paper) row.Add(cell.Paper is { } p ? $"{F(p.Mean)} ± {F(p.Sem)}" : "-");
            }
            return row;
        }).ToList();

        var widths = columns.Select((c, i) => Math.Max(c.Length, lines.Max(l => l[i].Length))).ToArray();
        var s = new StringBuilder();
        s.AppendLine($"Three types of incremental learning, split MNIST protocol: {DatasetTitle}; {IterationsPerTask:N0} iterations per task ({Budget} budget), MLP 2x400, Adam lr 0.001, batch 128; seeds {string.Join(", ", Seeds)}.");
        s.AppendLine($"Final average accuracy over all tasks (%); ours: mean ± sd over {Seeds.Length} seed(s){(paper ? "; paper: mean ± s.e.m. as published" : "")}.");
        if (Interrupted)
            s.AppendLine($"Interrupted: {Rows.Sum(r => r.Ours?.PerSeed.Length ?? 0)} of {Rows.Sum(r => r.RunIds.Count)} runs finished; (n=k) marks a cell with fewer seeds.");
        s.AppendLine();
        s.AppendLine(string.Join("  ", columns.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        foreach (var line in lines) s.AppendLine(string.Join("  ", line.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        s.AppendLine();
        if (Scenarios.Contains(Engine.Config.Scenarios.DomainIncremental)) s.AppendLine(DomainNote);
        for (int i = 0; i < notes.Count; i++) s.AppendLine($"({i + 1}) {notes[i].Text}");
        s.AppendLine($"Paper: {Citation}.");
        s.AppendLine(PaperNote);
        if (Database is not null) s.AppendLine($"Runs stored in the run database ({Rows.Sum(r => r.RunIds.Count)} runs, one group per strategy and scenario): open History or Compare in the dashboard.");
        return s.ToString().TrimEnd();
    }
}
