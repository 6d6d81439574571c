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

    public int PenaltyCount => penalties.Count;

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
                sum = sum.Plus((fisher[i] * SafeMath.Squared(parameters[i] - anchor[i])).sum());
        return sum.Times((ctx.Config.EwcLambda ?? DefaultLambda(ctx.Config.Scenario)) / 2);
    }

    public override void EndTask(TrainingContext ctx)
    {
        using var scope = NewDisposeScope();
        var fisher = EstimateFisher(ctx);
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
            using var _ = NewDisposeScope();
            ctx.Model.zero_grad();
            var batch = ctx.MakeBatch([sample]);
            var logits = ctx.Logits(batch);
            var label = logits.detach().softmax(1).multinomial(1, generator: ctx.Generator).squeeze(1);
            nn.functional.cross_entropy(logits, label).backward();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++)
                    if (parameters[i].grad is { } g) fisher[i].PlusInPlace(SafeMath.Squared(g).Times(1.0 / samples.Length));
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
