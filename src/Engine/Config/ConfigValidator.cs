using System.Text.Json;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;

namespace ContinualLearning.Engine.Config;

/// <summary>One problem with a config: the JSON field name (camelCase) and the rule it breaks. Both are cut short
/// (ConfigErrors' limits), so no error can carry a megabyte of what the user sent back to them or into the log.</summary>
public sealed record ConfigError(string Field, string Message)
{
    public string Field { get; init; } = ConfigErrors.Cut(Field ?? "config", ConfigErrors.MaxFieldLength);
    public string Message { get; init; } = ConfigErrors.Cut(Message ?? "", ConfigErrors.MaxMessageLength);

    public override string ToString() => $"{Field}: {Message}";
}

public sealed class ConfigValidationException(IReadOnlyList<ConfigError> errors)
    : Exception("Invalid run configuration: " + string.Join("; ", errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

/// <summary>
/// The one validator for run configs, used by the CLI, the REST API, the hub and the dashboard.
/// Upper bounds keep a single run from tying up the server for a day.
/// </summary>
public static class ConfigValidator
{
    public static readonly string[] Optimizers = ["sgd", "adam"];
    public static readonly string[] SupportedScenarios = [Scenarios.ClassIncremental, Scenarios.TaskIncremental, Scenarios.DomainIncremental];
    public const int MaxTasks = 50;

    /// <summary>
    /// Pace (a viewer's default replay speed, steps per second) is 0 (as fast as available) or at least this many steps
    /// per second: slower would make a replay last days. It never slows training.
    /// </summary>
    public const double MinPace = 0.5;
    public const double MaxPace = 10_000;
    public const string PaceRule = "must be 0 (as fast as available) or between 0.5 and 10000 steps per second";

    /// <summary>The pace rule alone, for a viewer's pace (the hub's WatchFrom, the live page's pace control).</summary>
    public static ConfigError? CheckPace(double pace) =>
        double.IsFinite(pace) && (pace == 0 || pace is >= MinPace and <= MaxPace) ? null : new("pace", PaceRule);

    /// <summary>
    /// Every problem with the config, each naming its field, at most ConfigErrors.MaxErrors of them. A config whose
    /// fields are valid is then priced (RunCostEstimate) against <paramref name="budget"/> (default: RunBudget.Default).
    /// </summary>
    public static IReadOnlyList<ConfigError> Validate(RunConfig c, DataSetCatalog? catalog = null, RunBudget? budget = null)
    {
        var errors = new List<ConfigError>();
        void Check(bool ok, string field, string message) { if (!ok) errors.Add(new(field, message)); }

        // A JSON null in a field that has no "unset" meaning: report it and check the rest against the default.
        var nulls = NullFields(c);
        if (nulls.Count > 0)
        {
            errors.AddRange(nulls.Select(f => new ConfigError(f, "must not be null (leave the field out to keep its default)")));
            c = WithDefaultsFor(c);
        }

        var knownSets = catalog?.Names ?? DataSetCatalog.DefaultEntries().Select(e => e.Name).ToArray();
        Check(knownSets.Contains(c.Dataset), "dataset", $"must be one of {string.Join(", ", knownSets)}");
        Check(c.Preset is null || Presets.Names.Contains(c.Preset), "preset", $"must be one of {string.Join(", ", Presets.Names)}");
        Check(SupportedScenarios.Contains(c.Scenario), "scenario", $"must be one of {string.Join(", ", SupportedScenarios)}");
        if (StrategyRegistry.Find(c.Strategy) is { } strategy)
        {
            if (!strategy.Supports(c.Scenario))
                errors.Add(new("strategy", $"{c.Strategy} needs scenario {string.Join(" or ", strategy.Scenarios!)}, not {c.Scenario}: {strategy.ScenarioReason}"));
            foreach (var (field, holds, message) in strategy.Requirements) Check(holds(c), field, message);
        }
        Check(c.Permutations is >= 1 and <= 50, "permutations", "must be between 1 and 50");
        Check(ModelFactory.Names.Contains(c.Model), "model", $"must be one of {string.Join(", ", ModelFactory.Names)}");
        Check(c.HiddenSizes is { Length: >= 1 and <= 4 } && c.HiddenSizes.All(h => h is >= 1 and <= 4096), "hiddenSizes", "must be 1 to 4 layer widths, each between 1 and 4096");
        Check(Optimizers.Contains(c.Optimizer), "optimizer", $"must be one of {string.Join(", ", Optimizers)}");
        Check(double.IsFinite(c.LearningRate) && c.LearningRate > 0 && c.LearningRate <= 10, "learningRate", "must be greater than 0 and at most 10");
        Check(double.IsFinite(c.Momentum) && c.Momentum is >= 0 and < 1, "momentum", "must be between 0 (inclusive) and 1 (exclusive)");
        Check(c.BatchSize is >= 1 and <= 4096, "batchSize", "must be between 1 and 4096");
        Check(c.Epochs is >= 1 and <= 100, "epochs", "must be between 1 and 100");
        Check(c.IterationsPerTask is null or (>= 1 and <= 100_000), "iterationsPerTask", "must be between 1 and 100000 when set");
        Check(StrategyRegistry.Names.Contains(c.Strategy), "strategy", $"must be one of {string.Join(", ", StrategyRegistry.Names)}");
        // Strategy parameters: each declared once, beside its strategy (StrategyInfo), checked whichever strategy is chosen.
        foreach (var parameter in StrategyRegistry.Parameters.Select(p => p.Parameter).Concat(StrategyRegistry.LegacyParameters))
            if (parameter.Check(c) is { } rule) errors.Add(new(parameter.Name, rule));
        foreach (var unknown in (c.StrategyParameters?.Keys.ToArray() ?? [])
                     .Where(k => StrategyRegistry.Parameters.All(p => p.Parameter.Name != k) && StrategyRegistry.LegacyParameters.All(p => p.Name != k)))
            errors.Add(new(unknown, "is not a config field"));
        Check(c.Seed >= 0, "seed", "must be 0 or greater");
        Check(c.EvalEvery is >= 1 and <= 100_000, "evalEvery", "must be between 1 and 100000");
        Check(c.EvalSamplesPerTask is >= 10 and <= 10_000, "evalSamplesPerTask", "must be between 10 and 10000");
        if (CheckPace(c.Pace) is { } pace) errors.Add(pace);
        ValidateTasks(c, catalog, errors);
        if (errors.Count == 0 && DataSetEntryFor(c.Dataset, catalog) is { } data)
            errors.AddRange(RunCostEstimate.For(c, data).Check(c, budget ?? RunBudget.Default));
        return ConfigErrors.Bounded(errors);
    }

    public static void ThrowIfInvalid(RunConfig config, DataSetCatalog? catalog = null, RunBudget? budget = null)
    {
        var errors = Validate(config, catalog, budget);
        if (errors.Count > 0) throw new ConfigValidationException(errors);
    }

    /// <summary>The catalog's entry for a data set name (the default entries without a catalog), or null when unknown.</summary>
    public static DataSetEntry? DataSetEntryFor(string name, DataSetCatalog? catalog) =>
        catalog is not null ? (catalog.Contains(name) ? catalog.Entry(name) : null) : DataSetCatalog.DefaultEntries().FirstOrDefault(e => e.Name == name);

    // The reference-typed fields whose default is a value (strings, hiddenSizes): null there is never meaningful.
    static readonly RunConfig Defaults = new();
    static readonly System.Reflection.PropertyInfo[] RequiredReferenceFields = typeof(RunConfig).GetProperties()
        .Where(p => !p.PropertyType.IsValueType && p.GetValue(Defaults) is not null).ToArray();

    static List<string> NullFields(RunConfig c) =>
        RequiredReferenceFields.Where(p => p.GetValue(c) is null).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList();

    static RunConfig WithDefaultsFor(RunConfig c)
    {
        var copy = c with { };
        foreach (var p in RequiredReferenceFields.Where(p => p.GetValue(copy) is null)) p.SetValue(copy, p.GetValue(Defaults));
        return copy;
    }

    static void ValidateTasks(RunConfig c, DataSetCatalog? catalog, List<ConfigError> errors)
    {
        if (!TaskSplit.TryParse(c.Tasks ?? "", out var tasks, out var problem))
        {
            errors.Add(new("tasks", problem));
            return;
        }
        int classCount = catalog is not null && catalog.Contains(c.Dataset) ? catalog.Entry(c.Dataset).ClassNames.Length : 10;
        var missing = tasks.SelectMany(t => t).Where(k => k >= classCount).Distinct().Order().ToArray();
        if (missing.Length > 0)
            errors.Add(new("tasks", $"class {ConfigErrors.Few(missing)} does not exist in the data set (classes 0-{classCount - 1})"));
        if (tasks.Length > MaxTasks) errors.Add(new("tasks", $"at most {MaxTasks} tasks (got {tasks.Length})"));
        // Domain-incremental: one class set is repeated over permutations; several tasks share one head, answered by
        // each class's position within its task, so every task needs the same number of classes.
        if (c.Scenario == Scenarios.DomainIncremental && tasks.Length > 1 && tasks.Any(t => t.Length != tasks[0].Length))
        {
            int odd = Array.FindIndex(tasks, t => t.Length != tasks[0].Length);
            errors.Add(new("tasks", $"in domain-incremental every task has the same number of classes (one shared output per position): task 1 has {tasks[0].Length}, task {odd + 1} has {tasks[odd].Length}; or give one class set (e.g. 0-9) for permuted tasks"));
        }
        if (tasks.Length > 1 || c.Scenario != Scenarios.DomainIncremental)
        {
            var repeated = tasks.SelectMany(t => t).GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToArray();
            if (repeated.Length > 0)
                errors.Add(new("tasks", $"class {ConfigErrors.Few(repeated)} appears in more than one task; in {c.Scenario} each class belongs to one task"));
        }
    }
}
