using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Sweeps;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>One strategy in one scenario: its repeat over the seeds (stored as one group), or why it is skipped.</summary>
public sealed record ReproduceCell(string Strategy, string Scenario, SweepSpec? Repeat, string? SkippedBecause)
{
    public IReadOnlyList<RunConfig> Configs => Repeat is null ? [] : SweepPlanner.Plan(Repeat).Select(p => p.Config).ToArray();
}

/// <summary>
/// The van de Ven et al. protocol as configs: five tasks of two digits, MLP 2x400, Adam 0.001, batch 128 (the
/// split-mnist-5 preset) in all three scenarios, as the paper runs it; in domain-incremental the one output head has
/// two units and a digit's label is its position within its pair. Every strategy × scenario × seed, minus the cells a
/// strategy or the validator refuses.
/// </summary>
public static class ReproducePlan
{
    public const int CiIterations = 100;

    public static int Iterations(string budget) => budget == "paper" ? Presets.PaperIterations : CiIterations;

    public static RunConfig Base(string scenario, string dataset, int iterationsPerTask) =>
        Presets.Get(iterationsPerTask == Presets.PaperIterations ? Presets.SplitMnist5Paper : Presets.SplitMnist5) with
    {
        Scenario = scenario,
        Dataset = dataset,
        IterationsPerTask = iterationsPerTask,
        // Live curves from 4 evaluations per task whatever the budget (each costs a pass over 500 test images per task);
        // the final accuracy matrix always uses the full test sets.
        EvalEvery = Math.Max(1, iterationsPerTask / 4),
    };

    public static IReadOnlyList<ReproduceCell> Cells(IEnumerable<string> strategies, IEnumerable<string> scenarios, string dataset, int iterationsPerTask,
        int seeds, DataSetCatalog catalog)
    {
        var cells = new List<ReproduceCell>();
        foreach (var strategy in strategies)
            foreach (var scenario in scenarios)
            {
                var info = StrategyRegistry.Info(strategy);
                if (!info.Supports(scenario))
                {
                    cells.Add(new(strategy, scenario, null, info.ScenarioReason ?? $"{strategy} does not run in {scenario}"));
                    continue;
                }
                var config = Base(scenario, dataset, iterationsPerTask) with { Strategy = strategy, Seed = 0 };
                var errors = ConfigValidator.Validate(config, catalog, RunBudget.Unlimited);
                cells.Add(errors.Count > 0
                    ? new(strategy, scenario, null, string.Join("; ", errors.Select(ConfigOptions.Describe)))
                    // A repeat: the config as it is over N seeds (learningRate set to its own value changes nothing).
                    : new(strategy, scenario, SweepSpec.Repeat(config, seeds, "learningRate"), null));
            }
        return cells;
    }

    public static string SpecJson(SweepSpec spec) => JsonSerializer.Serialize(spec, EngineJson.Options);
}
