using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Config;

/// <summary>
/// Which config fields a run actually uses: replayRatio only matters to replay, momentum only to SGD, permutations only
/// to permuted domain-incremental runs, and so on. The one place that knows this, so the compare page's diff table, the designer
/// and anything else that shows a config can hide what a run ignores. Field names are the camelCase JSON names.
/// </summary>
public static class ConfigRelevance
{
    /// <summary>Whether <paramref name="field"/> (camelCase, as in the JSON) changes what a run with this config does.
    /// Unknown fields count as applying, so a new RunConfig field is shown until a rule here says otherwise.</summary>
    public static bool Applies(RunConfig c, string field) => field switch
    {
        "permutations" => Scenarios.IsPermuted(c),
        // Progressive nets build their own columns of hidden layers; every other strategy uses the chosen model.
        "model" => c.Strategy != "pnn",
        "hiddenSizes" => c.Strategy == "pnn" || c.Model == "mlp",
        "momentum" => c.Optimizer == "sgd",
        // A fixed number of batches per task replaces whole epochs.
        "epochs" => c.IterationsPerTask is null,
        // A strategy's parameters apply to the strategies that declare them (and only in the settings they name).
        _ when StrategyRegistry.Parameters.FirstOrDefault(p => p.Parameter.Name == field) is ({ }, var strategies) =>
            strategies.Contains(c.Strategy) && (StrategyRegistry.ParameterOf(c.Strategy, field)!.UsedWhen?.Invoke(c) ?? true),
        _ => true,
    };

    /// <summary>The fields of <see cref="RunConfig"/> (camelCase) that this config uses, in declaration order.</summary>
    public static IReadOnlyList<string> AppliedFields(RunConfig c) => [.. Fields.Where(f => Applies(c, f))];

    /// <summary>Every RunConfig field, camelCase, in declaration order, then the declared strategy parameters that are
    /// not RunConfig properties (kept flat in RunConfig.StrategyParameters).</summary>
    public static IReadOnlyList<string> Fields { get; } =
        [.. typeof(RunConfig).GetProperties().Where(p => p.Name != nameof(RunConfig.StrategyParameters)).Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]),
         .. StrategyRegistry.Parameters.Select(p => p.Parameter.Name).Where(n => !StrategyParameterValues.IsProperty(n))];
}
