using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Synaptic intelligence (Zenke et al. 2017). While training, each parameter's contribution to the drop in loss is
/// accumulated along the path: ω_i += −g_i·Δθ_i per step. At the end of a task the importance grows by
/// Ω_i += ω_i / ((θ_i − θ_i^start)² + ξ), and later tasks add c · Σ Ω_i (θ_i − θ*_i)².
/// </summary>
public sealed class SynapticIntelligence : Strategy
{
    /// <summary>Damping ξ: keeps importance finite for parameters that barely moved during a task.</summary>
    public const double Xi = 0.1;

    Tensor[]? importance, anchor, pathIntegral, taskStart;
    Tensor[] gradients = [], beforeStep = [];

    public static StrategyInfo Info { get; } = new("si", "si — synaptic intelligence", "Penalises changing weights that lowered the loss.",
        "Synaptic intelligence: tracks how much each weight lowered the loss while training and penalises changing those. Higher c protects old tasks at the cost of plasticity.")
    {
        Parameters = [new("siC", "c", "penalty strength c") { DefaultFor = DefaultC, Min = 0, Max = 1e6, LogScale = true, SliderRange = (0.001, 1e4) }],
    };

    /// <summary>
    /// c when the config leaves it unset, from the sweep in docs/results.md ("Penalty strengths"): class-incremental
    /// split MNIST gained most from a stiff penalty (5000, as van de Ven et al. tuned), Permuted MNIST took 10.
    /// </summary>
    public static double DefaultC(string scenario) => scenario switch
    {
        Scenarios.DomainIncremental => 10,
        Scenarios.ClassIncremental => 5000,
        _ => 1,
    };

    /// <summary>
    /// The default c for a run: the scenario's, but with SGD at most 1 / (2 · lr · max_i Ω_i). The penalty's gradient
    /// 2cΩ_i(θ_i − θ*_i) makes a step multiply θ_i − θ*_i by 1 − 2·lr·c·Ω_i, which beyond that bound overshoots the
    /// anchor (the seed's SGD 0.01 with c = 5000 diverged early in task 2), as EWC's λ is capped. Adam keeps the scenario's c.
    /// </summary>
    public static double DefaultC(RunConfig config, double largestImportance)
    {
        double c = DefaultC(config.Scenario);
        return config.Optimizer == "sgd" && largestImportance > 0 ? Math.Min(c, 1 / (2 * config.LearningRate * largestImportance)) : c;
    }

    /// <summary>The c in use: the config's, or the default for the importance accumulated so far.</summary>
    public double C { get; private set; }

    public override string StrengthKnob => "c (siC)";

    /// <summary>Accumulated importance Ω per parameter tensor (null before the first task ends).</summary>
    public IReadOnlyList<Tensor>? Importance => importance;

    public override void BeginTask(TrainingContext ctx)
    {
        using var scope = NewDisposeScope();
        var parameters = ctx.Model.parameters().ToArray();
        pathIntegral ??= parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        Replace(ref taskStart, parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray());
    }

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var loss = ctx.CrossEntropy(batch);
        return importance is null ? loss : loss.Plus(Penalty(ctx));
    }

    /// <summary>c · Σ Ω_i (θ_i − θ*_i)².</summary>
    public Tensor Penalty(TrainingContext ctx)
    {
        var parameters = ctx.Model.parameters().ToArray();
        var sum = zeros(1);
        for (int i = 0; i < parameters.Length; i++) sum = sum.Plus((importance![i] * StableScalars.Squared(parameters[i] - anchor![i])).sum());
        return sum.Times(C);
    }

    // The step's gradient and the parameters before it; both live only for this batch's dispose scope.
    public override void AfterBackward(TrainingContext ctx)
    {
        var parameters = ctx.Model.parameters().ToArray();
        gradients = parameters.Select(p => p.grad is { } g ? g.detach().clone() : zeros_like(p)).ToArray();
        beforeStep = parameters.Select(p => p.detach().clone()).ToArray();
    }

    public override void AfterStep(TrainingContext ctx)
    {
        using var _ = no_grad();
        var parameters = ctx.Model.parameters().ToArray();
        for (int i = 0; i < parameters.Length; i++) pathIntegral![i].sub_(gradients[i] * (parameters[i] - beforeStep[i]));
    }

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // Ω only protects this task from later ones
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parameters = ctx.Model.parameters().ToArray();
        importance ??= parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            var moved = parameters[i] - taskStart![i];
            var gain = pathIntegral![i] / StableScalars.Squared(moved).Plus(ones_like(moved).Times(Xi));
            importance[i].PlusInPlace(gain.relu());
            pathIntegral[i].zero_();
        }
        Replace(ref anchor, parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray());
        C = ctx.Config.SiC ?? DefaultC(ctx.Config, importance.Max(w => (double)w.max().item<float>()));
    }

    static void Replace(ref Tensor[]? field, Tensor[] value)
    {
        if (field is not null) foreach (var t in field) t.Dispose();
        field = value;
    }

    public override void Dispose()
    {
        foreach (var set in new[] { importance, anchor, pathIntegral, taskStart })
            if (set is not null) foreach (var t in set) t.Dispose();
        base.Dispose();
    }
}
