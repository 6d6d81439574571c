using System.Text.RegularExpressions;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>How the loop notices that training diverged, and what it tells the student to change.</summary>
static partial class Divergence
{
    /// <summary>"lower the learning rate, the momentum or λ (ewcLambda)": the knobs that make steps or penalties too strong.</summary>
    public static string Advice(TrainingContext ctx, Strategy strategy)
    {
        var knobs = new List<string> { "the learning rate" };
        if (ctx.Config.Optimizer == "sgd" && ctx.Config.Momentum > 0) knobs.Add("the momentum");
        if (strategy.StrengthKnob is { } knob) knobs.Add(knob);
        return "lower " + (knobs.Count == 1 ? knobs[0] : string.Join(", ", knobs[..^1]) + " or " + knobs[^1]);
    }

    public static string LossProblem(double loss) =>
        double.IsNaN(loss) ? "the loss became NaN (not a number)" : "the loss became infinite";

    public const string WeightsProblem = "the model's weights became infinite or NaN";
    public const string NumbersProblem = "the model's numbers grew too large and became infinite or NaN";

    /// <summary>Whether every weight is finite: one reduction per parameter tensor, cheap next to an evaluation.</summary>
    public static bool WeightsAreFinite(nn.Module model)
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        return model.parameters().All(p => p.isfinite().all().item<bool>());
    }

    /// <summary>
    /// A libtorch error caused by non-finite numbers, e.g. torch.multinomial's "probability tensor contains either
    /// `inf`, `nan` or element &lt; 0" when EWC samples labels from a model whose outputs overflowed.
    /// </summary>
    public static bool IsNumericFailure(Exception e) =>
        e is System.Runtime.InteropServices.ExternalException && NonFiniteWords().IsMatch(e.Message);

    [GeneratedRegex(@"\b(inf|nan|infinity|non-finite)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NonFiniteWords();
}
