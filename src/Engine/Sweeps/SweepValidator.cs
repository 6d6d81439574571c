using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// Checks a sweep at the edge (CLI, REST, UI). Each resulting config goes through the one ConfigValidator, so a
/// sweep value is rejected for exactly the reason a single run with that value would be; the sweep as a whole must then
/// fit the same compute and event budget as one run (its runs share one queue and one machine).
/// </summary>
public static class SweepValidator
{
    public const int MaxSeeds = 20;
    public const int MaxValues = 50;
    public const int MaxRuns = 200;

    public static IReadOnlyList<ConfigError> Validate(SweepSpec spec, DataSetCatalog? catalog = null, RunBudget? budget = null)
    {
        var errors = new List<ConfigError>();
        if (spec.Config is null) return [new("config", "must be a run config object")];
        if (spec.Seeds is < 1 or > MaxSeeds) errors.Add(new("seeds", $"must be between 1 and {MaxSeeds}"));
        if (spec.Param is null || !SweepParameters.IsKnown(spec.Param))
        {
            errors.Add(new("param", $"must be one of {string.Join(", ", SweepParameters.Names)}"));
            return errors;
        }
        if (spec.Values is not { Length: >= 1 and <= MaxValues })
        {
            errors.Add(new("values", $"must hold 1 to {MaxValues} values"));
            return errors;
        }
        if (spec.Values.Length * Math.Max(1, spec.Seeds) > MaxRuns)
            errors.Add(new("values", $"{spec.Values.Length} values × {spec.Seeds} seeds is {spec.Values.Length * spec.Seeds} runs; at most {MaxRuns}"));

        // Errors about the fixed part are reported once, under the config's own field names.
        var baseErrors = ConfigValidator.Validate(spec.Config, catalog, budget).Where(e => e.Field != spec.Param).ToList();
        errors.AddRange(baseErrors);

        bool integer = SweepParameters.IsInteger(spec.Param);
        foreach (var value in spec.Values)
        {
            if (!double.IsFinite(value)) { errors.Add(new("values", $"{value} is not a finite number")); continue; }
            if (integer && (value != Math.Floor(value) || Math.Abs(value) > int.MaxValue))
            {
                errors.Add(new("values", $"{value}: {spec.Param} takes whole numbers"));
                continue;
            }
            // What this value breaks that the fixed part does not (its own rule, or the budget with it).
            var config = SweepParameters.With(spec.Config, spec.Param, value);
            foreach (var e in ConfigValidator.Validate(config, catalog, budget).Where(e => !baseErrors.Contains(e)))
                errors.Add(new("values", $"{value}: {e.Field} {e.Message}"));
        }
        if (spec.Config.Seed > int.MaxValue - MaxSeeds) errors.Add(new("seed", $"must be at most {int.MaxValue - MaxSeeds} in a sweep"));
        if (errors.Count == 0) errors.AddRange(CheckTotal(spec, catalog, budget ?? RunBudget.Default));
        return ConfigErrors.Bounded(errors);
    }

    /// <summary>The sum over the sweep's runs against the budget: each run fits, but together they must too.</summary>
    static IEnumerable<ConfigError> CheckTotal(SweepSpec spec, DataSetCatalog? catalog, RunBudget budget)
    {
        var estimates = SweepPlanner.Plan(spec)
            .Select(p => ConfigValidator.DataSetEntryFor(p.Config.Dataset, catalog) is { } data ? RunCostEstimate.For(p.Config, data) : null)
            .OfType<RunCostEstimate>().ToArray();
        string field = spec.Values.Length > 1 ? "values" : "seeds";
        double seconds = estimates.Sum(e => e.ComputeSeconds), limit = budget.ComputeMinutes * 60;
        if (seconds > limit)
            yield return new(field, $"the sweep's {estimates.Length} runs would take about {RunCostEstimate.Duration(seconds)} together (limit {RunCostEstimate.Duration(limit)}): fewer values or seeds, or shorter runs");
        double events = estimates.Sum(e => e.Events);
        if (events > budget.Events)
            yield return new(field, $"the sweep's {estimates.Length} runs would produce about {events:N0} events together (limit {budget.Events:N0}): fewer values or seeds, or shorter runs");
    }

    public static void ThrowIfInvalid(SweepSpec spec, DataSetCatalog? catalog = null, RunBudget? budget = null)
    {
        var errors = Validate(spec, catalog, budget);
        if (errors.Count > 0) throw new ConfigValidationException(errors);
    }
}
