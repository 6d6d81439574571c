using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage.Export;

namespace ContinualLearning.Storage.Comparison;

/// <summary>
/// One config field whose value differs between the compared runs: values as JSON text, one per run, null where the
/// field does not apply to that run (e.g. replayRatio of a naive run; see ConfigRelevance).
/// </summary>
public sealed record ConfigDifference(string Field, string?[] Values);

/// <summary>A final metric per run and which runs are best at it (ties share it); Higher says which way is better.</summary>
public sealed record MetricColumn(string Name, bool HigherIsBetter, double?[] Values, bool[] Best);

/// <summary>One compared run in the JSON export: its id, display name, status, config and result (null until it ended well).</summary>
public sealed record ComparedRun(string Id, string Name, RunStatus Status, RunConfig Config, RunResult? Result);

/// <summary>The comparison's JSON export (GET /api/compare): the runs, the config fields that differ, the final metrics.</summary>
public sealed record ComparisonDocument(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<ConfigDifference> ConfigDifferences, IReadOnlyList<MetricColumn> Metrics);

/// <summary>
/// Two or more stored runs side by side: the config fields that differ, the final metrics with the best per column,
/// and CSV/JSON exports. Pure logic; the compare page and the REST API only present it.
/// </summary>
public sealed class RunComparison
{
    public RunComparison(IReadOnlyList<StoredRun> runs)
    {
        Runs = runs;
        Differences = DiffConfigs(runs.Select(r => r.Summary.Config).ToArray());
        Metrics = BuildMetrics(runs);
    }

    public IReadOnlyList<StoredRun> Runs { get; }
    public IReadOnlyList<ConfigDifference> Differences { get; }
    public IReadOnlyList<MetricColumn> Metrics { get; }

    /// <summary>
    /// The fields that matter to at least one run and whose values differ, counting "does not apply" as a value of its
    /// own: naive vs replay 0.1 shows replayRatio (— vs 0.1); two naive runs never show it, whatever their replayRatio.
    /// </summary>
    public static IReadOnlyList<ConfigDifference> DiffConfigs(IReadOnlyList<RunConfig> configs)
    {
        var objects = configs.Select(c => JsonSerializer.SerializeToNode(Engine.Strategies.StrategyParameterValues.WithDeclaredDefaults(c), EngineJson.Options)!.AsObject()).ToArray();
        return ConfigRelevance.Fields // config order
            .Select(f => new ConfigDifference(f, configs.Select((c, i) =>
                ConfigRelevance.Applies(c, f) ? objects[i][f]?.ToJsonString(EngineJson.Options) ?? "null" : null).ToArray()))
            .Where(d => d.Values.Any(v => v is not null) && d.Values.Distinct().Count() > 1)
            .ToArray();
    }

    /// <summary>A difference's value as a person reads it: strings unquoted, "—" where the field does not apply.</summary>
    public static string Display(string? value) => value is null ? "—" : value.Trim('"');

    static IReadOnlyList<MetricColumn> BuildMetrics(IReadOnlyList<StoredRun> runs)
    {
        var results = runs.Select(r => r.Result).ToArray();
        int tasks = results.Max(r => r?.AccuracyMatrix.Length ?? 0);
        var columns = new List<MetricColumn>
        {
            Column("average accuracy", true, results.Select(r => r?.AverageAccuracy)),
            Column("forgetting", false, results.Select(r => r?.Forgetting)),
            Column("backward transfer", true, results.Select(r => r?.BackwardTransfer)),
            Column("forward transfer", true, results.Select(r => r?.ForwardTransfer)),
        };
        for (int t = 0; t < tasks; t++)
        {
            int task = t;
            columns.Add(Column($"task {t + 1} final", true, results.Select(r => r is { } x && task < x.AccuracyMatrix[^1].Length ? x.AccuracyMatrix[^1][task] : (double?)null)));
        }
        columns.Add(Column("duration ms", false, results.Select(r => (double?)r?.DurationMs)));
        return columns;
    }

    static MetricColumn Column(string name, bool higher, IEnumerable<double?> values)
    {
        var v = values.ToArray();
        var present = v.Where(x => x.HasValue).Select(x => x!.Value).ToArray();
        // Best only means something when there is a choice: at least two runs with a value, not all equal.
        double? best = present.Length >= 2 && present.Distinct().Count() > 1 ? (higher ? present.Max() : present.Min()) : null;
        return new MetricColumn(name, higher, v, v.Select(x => best is not null && x == best).ToArray());
    }

    /// <summary>
    /// One line per run: id, name, the differing config fields, then the metrics. Config values that are JSON numbers
    /// stay numbers; everything else (names, strings, lists) is text, guarded by CsvWriter.
    /// </summary>
    public string ToCsv()
    {
        var csv = new CsvWriter();
        csv.Row(new[] { "id", "name", "status" }.Concat(Differences.Select(d => d.Field)).Concat(Metrics.Select(m => m.Name)));
        for (int i = 0; i < Runs.Count; i++)
        {
            var r = Runs[i].Summary;
            csv.Text(r.Id).Text(r.DisplayName).Text(r.Status.ToString().ToLowerInvariant());
            foreach (var d in Differences) ConfigCell(csv, d.Values[i]);
            foreach (var m in Metrics) csv.Number(m.Values[i]);
            csv.EndRow();
        }
        return csv.ToString();
    }

    static void ConfigCell(CsvWriter csv, string? json)
    {
        if (json is null) { csv.Text(null); return; }
        var value = JsonNode.Parse(json);
        if (value is JsonValue v && v.TryGetValue<double>(out var number)) csv.Number(number, "R");
        else if (value is JsonValue s && s.TryGetValue<string>(out var text)) csv.Text(text);
        else csv.Text(json); // lists (hiddenSizes), booleans, null
    }

    /// <summary>The runs (config, result, status) with the differences and metric columns, camelCase.</summary>
    public string ToJson()
    {
        var document = new ComparisonDocument(
            Runs.Select(r => new ComparedRun(r.Summary.Id, r.Summary.DisplayName, r.Summary.Status, r.Summary.Config, r.Result)).ToArray(), Differences, Metrics);
        return JsonSerializer.Serialize(document, EngineJson.Indented);
    }
}
