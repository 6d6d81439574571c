using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// Runs a whole sweep one run after another on the calling thread (the CLI's way; the dashboard queues the planned
/// runs in its own run queue instead and builds the result with SweepResult.From).
/// </summary>
public static class SweepRunner
{
    /// <param name="onRunCreated">Called before each run starts, e.g. to follow its events or record it.</param>
    public static SweepResult Run(SweepSpec spec, DataSetCatalog catalog, Action<SweepRunPlan, TrainingRun>? onRunCreated = null, CancellationToken ct = default) =>
        Run(spec, catalog, null, onRunCreated, ct);

    /// <param name="budget">What the sweep (summed over its runs) may cost; null = RunBudget.Default.</param>
    public static SweepResult Run(SweepSpec spec, DataSetCatalog catalog, RunBudget? budget, Action<SweepRunPlan, TrainingRun>? onRunCreated = null, CancellationToken ct = default)
    {
        SweepValidator.ThrowIfInvalid(spec, catalog, budget);
        var finished = new List<(SweepRunPlan, RunResult)>();
        foreach (var plan in SweepPlanner.Plan(spec))
        {
            ct.ThrowIfCancellationRequested();
            using var run = new TrainingRun(plan.Config, catalog, budget: budget);
            using var _ = ct.Register(run.Control.Cancel);
            onRunCreated?.Invoke(plan, run);
            run.Execute();
            ct.ThrowIfCancellationRequested();
            if (run.Result is null)
                throw new InvalidOperationException($"Sweep run {plan.PointIndex + 1}/{spec.Values.Length} ({spec.Param} = {plan.Value}, seed {plan.Config.Seed}) {run.Status.ToString().ToLowerInvariant()}: {run.Error}");
            finished.Add((plan, run.Result));
        }
        return SweepResult.From(spec, finished);
    }
}
