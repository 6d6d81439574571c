using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// Checks a sweep at the edge (CLI, REST, UI). Each resulting config goes through the one ConfigValidator, so a
/// sweep value is rejected for exactly the reason a single run with that value would be.
/// </summary>
public static class SweepValidator
{
    public const int MaxSeeds = 20;
    public const int MaxValues = 50;
    public const int MaxRuns = 200;

    public static IReadOnlyList<ConfigError> Validate(SweepSpec spec, DataSetCatalog? catalog = null)
    {
        var errors = new List<ConfigError>();
        if (spec.Seeds is < 1 or > MaxSeeds) errors.Add(new("seeds", $"must be between 1 and {MaxSeeds}"));
        if (!SweepParameters.IsKnown(spec.Param))
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
        var baseErrors = ConfigValidator.Validate(spec.Config, catalog).Where(e => e.Field != spec.Param).ToList();
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
            var config = SweepParameters.With(spec.Config, spec.Param, value);
            foreach (var e in ConfigValidator.Validate(config, catalog).Where(e => e.Field == spec.Param))
                errors.Add(new("values", $"{value}: {e.Field} {e.Message}"));
        }
        if (spec.Config.Seed > int.MaxValue - MaxSeeds) errors.Add(new("seed", $"must be at most {int.MaxValue - MaxSeeds} in a sweep"));
        return errors;
    }

    public static void ThrowIfInvalid(SweepSpec spec, DataSetCatalog? catalog = null)
    {
        var errors = Validate(spec, catalog);
        if (errors.Count > 0) throw new ConfigValidationException(errors);
    }
}
