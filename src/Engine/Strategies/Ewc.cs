using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Elastic weight consolidation (Kirkpatrick et al. 2017). At the end of each task the diagonal Fisher information
/// F is estimated from FisherSamples training samples (squared gradients of the log-likelihood of labels sampled from
/// the model); later tasks add λ/2 · Σ F_i (θ_i − θ*_i)². "separate" keeps one (F, θ*) per past task; "online"
/// keeps one running F = γ·F + F_new anchored at the latest θ*.
/// </summary>
public sealed class Ewc : Strategy
{
    readonly List<(Tensor[] Fisher, Tensor[] Anchor)> penalties = [];

    public static StrategyInfo Info { get; } = new("ewc", "ewc — elastic weight consolidation", "Pulls important weights back (diagonal Fisher).",
        "Elastic weight consolidation pulls the weights that mattered for old tasks (diagonal Fisher) back to their values. Higher λ protects old tasks, lower λ frees new learning; useful λ varies by scenario.")
    {
        Parameters =
        [
            new("ewcLambda", "λ", "penalty strength λ") { DefaultFor = DefaultLambda, Min = 0, Max = 1e12, LogScale = true, SliderRange = (1, 1e8) },
            new("ewcMode", "Mode", "one penalty per past task (separate) or one running Fisher (online)") { Kind = ParameterKind.Choice, Default = "separate", Choices = ["separate", "online"] },
            new("ewcGamma", "γ (online decay)", "online mode: decay of the running Fisher per task")
                { Default = 1.0, Min = 0, MinInclusive = false, Max = 1, Step = 0.05, UsedWhen = c => c.EwcMode == "online" },
            new("fisherSamples", "Fisher samples", "samples used to estimate the Fisher") { Kind = ParameterKind.Integer, Default = 200, Min = 1, Max = 10_000 },
        ],
    };

    /// <summary>
    /// λ when the config leaves it unset: the Fisher-weighted distance a task can afford differs by orders of magnitude
    /// per scenario. Task-incremental heads of two classes become so confident that the Fisher is tiny; there 10¹⁰ was
    /// needed (10⁴ to 10⁶ stayed near naive; docs/results.md).
    /// </summary>
    public static double DefaultLambda(string scenario) => scenario switch
    {
        Scenarios.DomainIncremental => 100,
        Scenarios.TaskIncremental => 1e10,
        _ => 10_000,
    };

    /// <summary>
    /// The default λ for a run: the scenario's, but with SGD at most 1 / (lr · max_i F_i). The penalty pulls θ_i back
    /// with curvature λ·F_i, and a gradient step multiplies θ_i − θ*_i by (1 − lr·λ·F_i): beyond 2/lr that factor
    /// exceeds 1 in size and training diverges (the seed's SGD 0.01 with λ = 10⁴ did, early in task 2). At 1/lr a step
    /// brings the stiffest parameter at most exactly back to its anchor, stable with any momentum. Adam's steps are
    /// normalised per parameter, so it keeps the scenario's λ.
    /// </summary>
    public static double DefaultLambda(RunConfig config, double largestFisher)
    {
        double lambda = DefaultLambda(config.Scenario);
        return config.Optimizer == "sgd" && largestFisher > 0 ? Math.Min(lambda, 1 / (config.LearningRate * largestFisher)) : lambda;
    }

    /// <summary>The λ in use: the config's, or the default for the Fishers kept so far.</summary>
    public double Lambda { get; private set; }

    public int PenaltyCount => penalties.Count;

    /// <summary>Fishers estimated so far: one per task that has a later one (none after the last task).</summary>
    public int FisherEstimates { get; private set; }

    public override string StrengthKnob => "λ (ewcLambda)";

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var loss = ctx.CrossEntropy(batch);
        return penalties.Count == 0 ? loss : loss.Plus(Penalty(ctx));
    }

    /// <summary>λ/2 · Σ over kept penalties of Σ_i F_i (θ_i − θ*_i)².</summary>
    public Tensor Penalty(TrainingContext ctx)
    {
        var parameters = ctx.Model.parameters().ToArray();
        var sum = zeros(1);
        foreach (var (fisher, anchor) in penalties)
            for (int i = 0; i < parameters.Length; i++)
                sum = sum.Plus((fisher[i] * StableScalars.Squared(parameters[i] - anchor[i])).sum());
        return sum.Times(Lambda / 2);
    }

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // a Fisher only protects this task from later ones
        using var scope = NewDisposeScope();
        var fisher = EstimateFisher(ctx);
        FisherEstimates++;
        var anchor = ctx.Model.parameters().Select(p => p.detach().clone()).ToArray();
        if (ctx.Config.EwcMode == "online" && penalties.Count == 1)
        {
            var (old, oldAnchor) = penalties[0];
            fisher = old.Zip(fisher, (o, f) => o.Times(ctx.Config.EwcGamma).Plus(f)).ToArray();
            foreach (var t in old.Concat(oldAnchor)) t.Dispose();
            penalties.Clear();
        }
        foreach (var t in fisher.Concat(anchor)) t.DetachFromDisposeScope();
        penalties.Add((fisher, anchor));
        Lambda = ctx.Config.EwcLambda ?? DefaultLambda(ctx.Config, LargestTotalFisher());
    }

    // The stiffest parameter's curvature: max over parameters of the Fishers summed over the kept penalties.
    double LargestTotalFisher()
    {
        using var _ = NewDisposeScope();
        return Enumerable.Range(0, penalties[0].Fisher.Length)
            .Max(i => (double)penalties.Select(p => p.Fisher[i]).Aggregate((a, b) => a.Plus(b)).max().item<float>());
    }

    /// <summary>Diagonal Fisher: mean over samples of the squared gradient of log p(y|x), y drawn from the model's own prediction.</summary>
    public static Tensor[] EstimateFisher(TrainingContext ctx)
    {
        var parameters = ctx.Model.parameters().ToArray();
        var fisher = parameters.Select(p => zeros_like(p)).ToArray();
        var samples = ctx.CurrentTask.Train.ToArray();
        ctx.Random.Shuffle(samples);
        samples = samples.Take(ctx.Config.FisherSamples).ToArray();
        ctx.Model.eval();
        foreach (var sample in samples)
        {
            ctx.ThrowIfCancelled();
            using var _ = NewDisposeScope();
            ctx.Model.zero_grad();
            var batch = ctx.MakeBatch([sample]);
            var logits = ctx.Logits(batch);
            var label = logits.detach().softmax(1).multinomial(1, generator: ctx.Generator).squeeze(1);
            nn.functional.cross_entropy(logits, label).backward();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++)
                    if (parameters[i].grad is { } g) fisher[i].PlusInPlace(StableScalars.Squared(g).Times(1.0 / samples.Length));
        }
        ctx.Model.zero_grad();
        ctx.Model.train();
        return fisher;
    }

    public override void Dispose()
    {
        foreach (var (fisher, anchor) in penalties) foreach (var t in fisher.Concat(anchor)) t.Dispose();
        penalties.Clear();
        base.Dispose();
    }
}
