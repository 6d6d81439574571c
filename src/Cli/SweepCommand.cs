using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Sweeps;

namespace ContinualLearning.Cli;

/// <summary>`continual sweep`: one parameter over a list of values × N seeds; the run options set the fixed part.</summary>
public static class SweepCommand
{
    public static Command Create(ConfigOptions options, Option<bool> json)
    {
        var param = new Option<string>("--param") { Description = $"Config field to vary: {string.Join(", ", SweepParameters.Names)} (or its option name, e.g. lr)", DefaultValueFactory = _ => "replayRatio" };
        var values = new Option<string?>("--values") { Description = "Values: a list (0,0.1,0.3,0.5,1) or a range start:stop:step (0:1:0.25); left out, a repeat of the config over the seeds" };
        var seeds = new Option<int>("--seeds") { Description = $"Seeds per value: the config seed, seed+1, … (1-{SweepValidator.MaxSeeds}, default 1)", DefaultValueFactory = _ => 1 };
        var command = new Command("sweep", "Run one config per value of a parameter, each over N seeds, and report mean ± std per value (e.g. the replay-ratio trade-off curve).");
        options.AddTo(command);
        command.Options.Add(param);
        command.Options.Add(values);
        command.Options.Add(seeds);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var errors = new List<string>();
            var config = options.ToConfig(parse, errors);
            var catalog = new DataSetCatalog(parse.GetValue(options.DataDir) ?? ConfigOptions.DefaultDataDirectory());
            var field = FieldName(parse.GetValue(param) ?? "");
            var valuesText = parse.GetValue(values);
            double[] parsed = [];
            if (valuesText is not null && !SweepValues.TryParse(valuesText, out parsed, out var valuesError)) errors.Add($"--values {valuesError}");
            // Sweeping a strategy's own parameter under the default (naive) strategy would vary nothing.
            if (valuesText is not null && parse.GetValue(options.Strategy) is null && SweepParameters.StrategyUsing(field) is { } strategy)
            {
                config = config with { Strategy = strategy };
                Console.Error.WriteLine($"note: {field} is a parameter of the {strategy} strategy; using --strategy {strategy}");
            }
            // No values: a repeat, the config exactly as given over the seeds.
            if (valuesText is null && SweepParameters.IsKnown(field)) parsed = SweepSpec.Repeat(config, 1, field).Values;
            var spec = new SweepSpec { Config = config, Param = field, Values = parsed, Seeds = parse.GetValue(seeds) };
            var budget = options.ToBudget(parse, errors);
            if (errors.Count == 0) errors.AddRange(SweepValidator.Validate(spec, catalog, budget).Select(Describe));
            if (errors.Count > 0)
            {
                foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
                return 2;
            }
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            int total = spec.Values.Length * spec.Seeds, done = 0;
            try
            {
                var result = SweepRunner.Run(spec, catalog, budget, (plan, run) =>
                {
                    run.Notice += m => Console.Error.WriteLine(m);
                    Console.Error.WriteLine($"run {++done}/{total}: {spec.Param} = {Format(plan.Value)}, seed {plan.Config.Seed}");
                }, cancel.Token);
                Console.Out.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(result, EngineJson.Indented) : Table(result));
                return 0;
            }
            catch (OperationCanceledException) { Console.Error.WriteLine("sweep cancelled"); return 130; }
            catch (InvalidOperationException e) { Console.Error.WriteLine($"error: {e.Message}"); return 1; }
        });
        return command;
    }

    /// <summary>Accepts the config field name or the run option that sets it (--lr, replay-ratio).</summary>
    static string FieldName(string typed)
    {
        var option = typed.StartsWith("--") ? typed : "--" + typed;
        var field = ConfigOptions.OptionByField.FirstOrDefault(kv => kv.Value == option).Key;
        return field ?? typed;
    }

    static string Describe(ConfigError e) => e.Field switch
    {
        "param" or "values" or "seeds" => $"--{e.Field} {e.Message}",
        _ => ConfigOptions.Describe(e),
    };

    static string Format(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
    static string PlusMinus(double mean, double std) => $"{mean:0.0} ± {std:0.0}";

    /// <summary>Per value: final accuracy on each task, average accuracy, forgetting and BWT, as mean ± std over seeds.</summary>
    public static string Table(SweepResult result)
    {
        int tasks = result.Points.FirstOrDefault()?.Mean?.AccuracyMatrix.Length ?? 0;
        var columns = new List<string> { result.Param };
        columns.AddRange(Enumerable.Range(1, tasks).Select(t => $"task {t} final"));
        columns.AddRange(["avg accuracy", "forgetting", "BWT"]);
        var rows = result.Points.Select(p =>
        {
            var row = new List<string> { Format(p.Value) };
            if (p.Mean is null || p.Std is null) return row.Concat(Enumerable.Repeat("-", columns.Count - 1)).ToList();
            if (p.Mean.AccuracyMatrix.Length > 0)
                row.AddRange(p.Mean.AccuracyMatrix[^1].Select((m, j) => PlusMinus(m, p.Std.AccuracyMatrix[^1][j])));
            row.Add(PlusMinus(p.Mean.AverageAccuracy, p.Std.AverageAccuracy));
            row.Add(PlusMinus(p.Mean.Forgetting, p.Std.Forgetting));
            row.Add(PlusMinus(p.Mean.BackwardTransfer, p.Std.BackwardTransfer));
            return row;
        }).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)) + 2).ToArray();
        var s = new StringBuilder();
        s.AppendLine($"Sweep of {result.Param} over seeds {string.Join(", ", result.Seeds)} (accuracy in %, mean ± std over seeds):");
        s.AppendLine(string.Concat(columns.Select((c, i) => c.PadLeft(widths[i]))));
        foreach (var row in rows) s.AppendLine(string.Concat(row.Select((c, i) => c.PadLeft(widths[i]))));
        return s.ToString().TrimEnd();
    }
}
