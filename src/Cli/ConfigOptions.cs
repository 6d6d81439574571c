using System.CommandLine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Cli;

/// <summary>
/// One command-line option per config field. Options left out keep the config's defaults (the seed's experiment);
/// values are checked by the engine's ConfigValidator, not here, so the CLI says exactly what REST and the UI say.
/// </summary>
public sealed class ConfigOptions
{
    static readonly RunConfig Seed = new();

    public readonly Option<string?> Preset = new("--preset") { Description = $"Start from a named config: {string.Join(", ", Presets.Names)}; the other options override its values (default: the seed's values)" };
    public readonly Option<string?> Dataset = new("--dataset") { Description = $"Data set: {string.Join(", ", DataSetCatalog.DefaultEntries().Select(e => e.Name))} (default {Seed.Dataset})" };
    public readonly Option<string?> Scenario = new("--scenario") { Description = $"Scenario: {string.Join(", ", ConfigValidator.SupportedScenarios)} (default {Seed.Scenario})" };
    public readonly Option<string?> Tasks = new("--tasks") { Description = $"Classes per task, tasks separated by '|', e.g. \"0-4|5-9\" or \"0,1|2,3|4,5|6,7|8,9\"; domain-incremental: one class set (Permuted MNIST) or tasks of equal size answered by position within the task (default \"{Seed.Tasks}\")" };
    public readonly Option<int?> Permutations = new("--permutations") { Description = $"domain-incremental with one class set (Permuted MNIST): number of tasks (pixel permutations; task 1 unpermuted) (default {Seed.Permutations})" };
    public readonly Option<string?> Model = new("--model") { Description = $"Model: {string.Join(", ", ModelFactory.Names)} (default {Seed.Model})" };
    public readonly Option<string?> HiddenSizes = new("--hidden-sizes") { Description = $"Hidden layer widths of the mlp, comma-separated (default {string.Join(",", Seed.HiddenSizes)})" };
    public readonly Option<string?> Optimizer = new("--optimizer") { Description = $"Optimizer: {string.Join(", ", ConfigValidator.Optimizers)} (default {Seed.Optimizer})" };
    public readonly Option<double?> LearningRate = new("--lr") { Description = $"Learning rate (default {Seed.LearningRate})" };
    public readonly Option<double?> Momentum = new("--momentum") { Description = $"SGD momentum (default {Seed.Momentum})" };
    public readonly Option<int?> BatchSize = new("--batch-size") { Description = $"Batch size (default {Seed.BatchSize})" };
    public readonly Option<int?> Epochs = new("--epochs") { Description = $"Epochs per task (default {Seed.Epochs})" };
    public readonly Option<int?> IterationsPerTask = new("--iterations-per-task") { Description = "Batches per task; overrides --epochs when set" };
    public readonly Option<string?> Strategy = new("--strategy") { Description = $"Strategy: {string.Join(", ", StrategyRegistry.Names)} (default {Seed.Strategy})" };
    public readonly Option<int?> RandomSeed = new("--seed") { Description = $"Random seed (default {Seed.Seed})" };
    public readonly Option<int?> EvalEvery = new("--eval-every") { Description = $"Live evaluation every N steps (default {Seed.EvalEvery})" };
    public readonly Option<int?> EvalSamples = new("--eval-samples") { Description = $"Held-out test images per task for live evaluation (default {Seed.EvalSamplesPerTask})" };
    public readonly Option<double?> Pace = new("--pace") { Description = "Default display pace for viewers of the run (steps/s; 0 = as fast as available); training always runs at full speed" };
    public readonly Option<double?> MaxModelStateMB = new("--max-model-state-mb") { Description = $"Budget: model state one run may need, in MB (default {RunBudget.Default.ModelStateMB})" };
    public readonly Option<double?> MaxComputeMinutes = new("--max-compute-minutes") { Description = $"Budget: estimated compute (or time at --pace) of one run or sweep, in minutes (default {RunBudget.Default.ComputeMinutes})" };
    public readonly Option<long?> MaxEvents = new("--max-events") { Description = $"Budget: events one run or sweep may produce (default {RunBudget.Default.Events})" };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder for full data sets (looked up and downloaded there); default ~/.local/share/ContinualLearning/data" };

    /// <summary>One option per declared strategy parameter (StrategyInfo), generated: a new strategy's parameters appear here and in --help.</summary>
    public readonly IReadOnlyList<(StrategyParameter Parameter, Option Option)> StrategyOptions =
        [.. StrategyRegistry.Parameters.Select(p => (p.Parameter, StrategyOption(p.Parameter, p.Strategies)))];

    static Option StrategyOption(StrategyParameter p, string[] strategies)
    {
        var defaults = p.DefaultFor is { } perScenario
            ? "per scenario: " + string.Join(", ", ConfigValidator.SupportedScenarios.Select(s => $"{s} {StrategyParameter.Show(perScenario(s))}"))
            : p.Default?.ToString();
        var range = p.Kind == ParameterKind.Choice ? string.Join(" or ", p.Choices) : p.Rule.Replace("must be ", "").Replace(" when set", "");
        var description = $"{string.Join(", ", strategies)}: {p.Meaning}; {range}{(p.LogScale ? ", log scale" : "")} (default {defaults})";
        return p.Kind switch
        {
            ParameterKind.Choice => new Option<string?>(p.Option) { Description = description },
            ParameterKind.Integer => new Option<int?>(p.Option) { Description = description },
            _ => new Option<double?>(p.Option) { Description = description },
        };
    }

    /// <summary>Field name in the config → option name, so validation errors name the option the user typed.</summary>
    public static readonly IReadOnlyDictionary<string, string> OptionByField = StrategyRegistry.Parameters
        .Select(p => KeyValuePair.Create(p.Parameter.Name, p.Parameter.Option))
        .Concat(new Dictionary<string, string>
    {
        ["preset"] = "--preset", ["permutations"] = "--permutations",
        ["dataset"] = "--dataset", ["scenario"] = "--scenario", ["tasks"] = "--tasks", ["model"] = "--model",
        ["hiddenSizes"] = "--hidden-sizes", ["optimizer"] = "--optimizer", ["learningRate"] = "--lr", ["momentum"] = "--momentum",
        ["batchSize"] = "--batch-size", ["epochs"] = "--epochs", ["iterationsPerTask"] = "--iterations-per-task",
        ["strategy"] = "--strategy",
        ["seed"] = "--seed", ["evalEvery"] = "--eval-every", ["evalSamplesPerTask"] = "--eval-samples", ["pace"] = "--pace",
        ["budget"] = "budget:",
    }).ToDictionary();

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[ Preset, Dataset, Scenario, Tasks, Permutations, Model, HiddenSizes, Optimizer, LearningRate, Momentum, BatchSize, Epochs,
                     IterationsPerTask, Strategy, .. StrategyOptions.Select(o => o.Option), RandomSeed, EvalEvery, EvalSamples, Pace, MaxModelStateMB, MaxComputeMinutes, MaxEvents, DataDir])
            command.Options.Add(option);
    }

    /// <summary>The preset's config (the seed's when none is named) with every option the user gave applied on top.</summary>
    public RunConfig ToConfig(ParseResult p, List<string> errors)
    {
        var c = new RunConfig();
        var preset = p.GetValue(Preset);
        if (preset is not null)
        {
            if (Presets.Names.Contains(preset)) c = Presets.Get(preset);
            else errors.Add($"--preset must be one of {string.Join(", ", Presets.Names)}");
        }
        int[]? hidden = null;
        var hiddenText = p.GetValue(HiddenSizes);
        if (hiddenText is not null)
        {
            var parts = hiddenText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            hidden = parts.All(s => int.TryParse(s, out _)) ? parts.Select(int.Parse).ToArray() : null;
            if (hidden is null) errors.Add("--hidden-sizes must be comma-separated whole numbers, e.g. 400,400");
        }
        c = c with
        {
            Dataset = p.GetValue(Dataset) ?? c.Dataset,
            Scenario = p.GetValue(Scenario) ?? c.Scenario,
            Tasks = p.GetValue(Tasks) ?? c.Tasks,
            Permutations = p.GetValue(Permutations) ?? c.Permutations,
            Model = p.GetValue(Model) ?? c.Model,
            HiddenSizes = hidden ?? c.HiddenSizes,
            Optimizer = p.GetValue(Optimizer) ?? c.Optimizer,
            LearningRate = p.GetValue(LearningRate) ?? c.LearningRate,
            Momentum = p.GetValue(Momentum) ?? c.Momentum,
            BatchSize = p.GetValue(BatchSize) ?? c.BatchSize,
            Epochs = p.GetValue(Epochs) ?? c.Epochs,
            IterationsPerTask = p.GetValue(IterationsPerTask) ?? c.IterationsPerTask,
            Strategy = p.GetValue(Strategy) ?? c.Strategy,
            Seed = p.GetValue(RandomSeed) ?? c.Seed,
            EvalEvery = p.GetValue(EvalEvery) ?? c.EvalEvery,
            EvalSamplesPerTask = p.GetValue(EvalSamples) ?? c.EvalSamplesPerTask,
            Pace = p.GetValue(Pace) ?? c.Pace,
        };
        foreach (var (parameter, option) in StrategyOptions)
            if (p.GetResult(option) is { Implicit: false } given && given.GetValueOrDefault<object?>() is { } value)
                c = StrategyParameterValues.With(c, parameter.Name, value);
        return c;
    }

    /// <summary>The budget the run or sweep is checked against: the dashboard's defaults unless raised (or lowered) here.</summary>
    public RunBudget ToBudget(ParseResult p, List<string> errors)
    {
        var d = RunBudget.Default;
        var budget = new RunBudget(p.GetValue(MaxModelStateMB) ?? d.ModelStateMB, p.GetValue(MaxComputeMinutes) ?? d.ComputeMinutes, p.GetValue(MaxEvents) ?? d.Events);
        if (budget.Problem() is { } problem) errors.Add($"--max-* budget options: {problem}");
        return budget;
    }

    public static string Describe(ConfigError error) =>
        $"{OptionByField.GetValueOrDefault(error.Field, error.Field)} {error.Message}";

    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "ContinualLearning", "data");
}
