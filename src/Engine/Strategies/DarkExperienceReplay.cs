using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Dark Experience Replay++ (Buzzega et al. 2020). The memory (MemoryPerClass per class, reservoir sampling as in er)
/// keeps each sample's logits at the time it was stored as well. Each step adds, on two independently drawn memory
/// batches of the current batch's size: α · MSE(model logits, stored logits) and β · CE(memory labels).
/// Defaults α 0.2, β 1.0: the paper's (Appendix, best hyperparameters) and Mammoth's utils/best_args.py for
/// Seq-MNIST with a 200-sample buffer, which 20 per class × 10 classes matches.
/// </summary>
public sealed class DarkExperienceReplay : Strategy
{
    public static readonly StrategyParameter Alpha =
        new("derAlpha", "Logit weight α", "weight of the MSE between the model's and the stored logits on memory samples") { Default = 0.2, Min = 0, Max = 100, SliderRange = (0, 2), Step = 0.05 };
    public static readonly StrategyParameter Beta =
        new("derBeta", "Label weight β", "weight of the cross-entropy on a second batch of memory samples") { Default = 1.0, Min = 0, Max = 100, SliderRange = (0, 2), Step = 0.05 };

    public static StrategyInfo Info { get; } = new("der", "der — dark experience replay++ (logits)", "Replays stored logits (α) and labels (β).",
        "Dark Experience Replay++: the reservoir memory keeps the network's outputs (logits) beside each image; replay pulls today's outputs on memory images towards the stored ones (α) and trains on their labels (β).")
    {
        Parameters = [ReservoirReplay.MemoryPerClass, Alpha, Beta],
        NamingParameter = "memoryPerClass",
    };

    public ClassReservoir<(Sample Sample, float[] Logits)> Reservoir { get; } = new();

    public override IReadOnlyList<Sample> Memory => [.. Reservoir.Items.Select(m => m.Sample)];

    /// <summary>The last step's logit term (before α) and label term (before β), for tests and display.</summary>
    public (double Logits, double Labels) LastReplayTerms { get; private set; }

    /// <summary>The logit term (before α) averaged over every replaying step: how far outputs drifted from the stored ones.</summary>
    public double AverageLogitTerm => replaySteps == 0 ? 0 : logitTermSum / replaySteps;
    double logitTermSum;
    int replaySteps;

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var loss = ctx.CrossEntropy(batch);
        int n = batch.Samples.Length;
        if (Reservoir.Count > 0)
        {
            var forLogits = Reservoir.Draw(ctx.Random, n);
            var inputs = ctx.MakeBatch([.. forLogits.Select(m => m.Sample)]).Inputs;
            var stored = tensor(forLogits.SelectMany(m => m.Logits).ToArray(), [n, forLogits[0].Logits.Length]);
            var logitTerm = nn.functional.mse_loss(ctx.Model.call(inputs), stored);
            var labelTerm = ctx.CrossEntropy(ctx.MakeBatch([.. Reservoir.Draw(ctx.Random, n).Select(m => m.Sample)]));
            LastReplayTerms = (logitTerm.item<float>(), labelTerm.item<float>());
            (logitTermSum, replaySteps) = (logitTermSum + LastReplayTerms.Logits, replaySteps + 1);
            loss = loss.Plus(logitTerm.Times(Alpha.Number(ctx.Config))).Plus(labelTerm.Times(Beta.Number(ctx.Config)));
        }
        Remember(ctx, batch);
        return loss;
    }

    // The raw outputs (no task mask: a mask's −∞ would make the MSE infinite) before this step changes the weights.
    void Remember(TrainingContext ctx, Batch batch)
    {
        float[] logits;
        long classes;
        using (no_grad())
        {
            var outputs = ctx.Model.call(batch.Inputs);
            classes = outputs.shape[1];
            logits = outputs.data<float>().ToArray();
        }
        for (int i = 0; i < batch.Samples.Length; i++)
        {
            var sample = batch.Samples[i];
            Reservoir.Offer(ctx.Stream.Data.Train.Labels[sample.Index], (sample, logits[(int)(i * classes)..(int)((i + 1) * classes)]), ctx.Config.MemoryPerClass, ctx.Random);
        }
    }
}
