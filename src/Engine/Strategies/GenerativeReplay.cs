using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Deep generative replay (Shin et al. 2017; van de Ven et al. 2020, 2022). From task 2 on, every batch is paired with
/// as many images from the previous generator (Models/ReplayGenerator, a VAE), labelled by the previous classifier over
/// the classes it knew: hard targets (its top class) or soft ones (its scores at temperature T, T²-scaled distillation,
/// "DGR+distill"); in task-incremental each replayed image gets an earlier task's head at random. Current and replayed
/// losses weigh 1/t and (t−1)/t at task t, for classifier and generator alike; the generator may train
/// generatorIterationRatio × the classifier's iterations per task (the extra ones at the task's end).
/// </summary>
public sealed class GenerativeReplay : Strategy
{
    ReplayGenerator? generator;
    nn.Module<Tensor, Tensor>? previousSolver;
    Tensor? seenMask;

    public static readonly StrategyParameter Targets = new("replayTargets", "Replay targets", "label replayed images with the previous model's top class (hard) or its softened scores (soft)")
        { Kind = ParameterKind.Choice, Default = "hard", Choices = ["hard", "soft"] };
    public static readonly StrategyParameter Temperature = new("replayTemperature", "Temperature", "soft targets: temperature of the previous model's scores")
        { Default = 2.0, Min = 0.1, Max = 20, SliderRange = (0.5, 10), Step = 0.5, UsedWhen = c => Targets.Text(c) == "soft" };
    // van de Ven et al. train the generator for as many iterations as the classifier by default (their --g-iters).
    public static readonly StrategyParameter IterationRatio = new("generatorIterationRatio", "Generator iterations (× classifier's)", "generator training iterations per task, as a multiple of the classifier's")
        { Default = 1.0, Min = 1, Max = 10, Step = 0.5 };

    public static StrategyInfo Info { get; } = new("generative-replay", "generative-replay — a VAE replays digits", "A VAE draws earlier tasks' images to replay.",
        "A variational autoencoder learns to draw the tasks' images; later tasks mix in its drawings, labelled by the previous model (its top class, or its softened scores), so no real images are kept. A wider generator, trained longer, draws better but costs more.")
    {
        Parameters =
        [
            new("generatorHidden", "VAE hidden width", "hidden width of the VAE") { Kind = ParameterKind.Integer, Default = 400, Min = 8, Max = 2048 },
            new("generatorLatent", "Latent size", "latent size of the VAE") { Kind = ParameterKind.Integer, Default = 32, Min = 2, Max = 512 },
            Targets, Temperature, IterationRatio,
        ],
    };

    /// <summary>Generator updates so far (classifier steps plus the extra iterations at task ends).</summary>
    public long GeneratorSteps => generator?.Steps ?? 0;

    public override nn.Module<Tensor, Tensor>? CreateModel(TrainingContext ctx)
    {
        // Classifier first, so it starts from the same weights as every other strategy with this seed.
        var data = ctx.Stream.Data;
        var model = ctx.NewModel();
        generator = new ReplayGenerator(data.Train.PixelsPerImage, ctx.Config.GeneratorHidden, ctx.Config.GeneratorLatent, ctx.Config.Seed);
        return model;
    }

    static double CurrentWeight(TrainingContext ctx) => 1.0 / (ctx.Task + 1);

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var current = ctx.CrossEntropy(batch);
        double weight = CurrentWeight(ctx);
        if (!generator!.CanReplay) { generator.Train(batch.Inputs, null, weight, ctx.Generator); return current; }
        var (images, taskIds, previousScores) = ReplayBatch(ctx, (int)batch.Inputs.shape[0]);
        var replayed = ReplayLoss(ctx, ctx.Logits(images, taskIds), previousScores);
        generator.Train(batch.Inputs, images, weight, ctx.Generator);
        return current.Times(weight).Plus(replayed.Times(1 - weight));
    }

    /// <summary>
    /// Images from the previous generator, the task whose head answers each (task-incremental: an earlier task drawn
    /// uniformly; else 0), and the previous classifier's logits over the classes it knew (others −∞).
    /// </summary>
    public (Tensor Images, Tensor TaskIds, Tensor PreviousScores) ReplayBatch(TrainingContext ctx, int count)
    {
        using var _ = no_grad();
        var images = generator!.Replay(count, ctx.Generator);
        var taskIds = ctx.Config.Scenario == Scenarios.TaskIncremental
            ? randint(0, ctx.Task, new long[] { count }, dtype: ScalarType.Int64, generator: ctx.Generator)
            : zeros(count, ScalarType.Int64);
        return (images, taskIds, ctx.Logits(images, taskIds, previousSolver).Plus(ClassMask(ctx)));
    }

    // Class-incremental: replay trains over the classes the previous model knew; task-incremental heads already mask.
    Tensor ClassMask(TrainingContext ctx) => ctx.Config.Scenario == Scenarios.ClassIncremental ? seenMask! : zeros(1);

    /// <summary>Hard: cross-entropy on the previous model's top class (the current model scores all classes of its head,
    /// as for real data). Soft: T² · cross-entropy between softmax(previous/T) and the current scores at T over the
    /// classes the previous model knew.</summary>
    public Tensor ReplayLoss(TrainingContext ctx, Tensor currentScores, Tensor previousScores)
    {
        if (Targets.Text(ctx.Config) == "hard") return nn.functional.cross_entropy(currentScores, previousScores.argmax(1));
        double t = Temperature.Number(ctx.Config);
        var target = previousScores.Times(1 / t).softmax(1);
        var logProbabilities = currentScores.Plus(ClassMask(ctx)).Times(1 / t).log_softmax(1);
        // Classes outside the head have target 0 and score −∞: their term is 0 (not 0·−∞ = NaN), and so is its gradient.
        var terms = where(logProbabilities.isfinite(), target * logProbabilities, zeros_like(target));
        return terms.sum(1).mean().Times(-t * t);
    }

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // the copies and the extra generator training only serve later tasks
        generator!.TrainFurther(ctx, (long)Math.Round((IterationRatio.Number(ctx.Config) - 1) * (ctx.Step - ctx.TaskStartStep)), CurrentWeight(ctx));
        previousSolver?.Dispose();
        previousSolver = ctx.FrozenCopy();
        generator.KeepAsPrevious();
        seenMask?.Dispose();
        seenMask = ctx.SeenClassMask(ctx.Task + 1).DetachFromDisposeScope();
    }

    public override byte[][]? GeneratedImages(TrainingContext ctx) => generator!.SampleImages(16, ctx.Generator);
    public override byte[][]? LiveGeneratedImages(TrainingContext ctx) => generator!.LiveImages();

    public override void Dispose()
    {
        foreach (var d in new IDisposable?[] { generator, previousSolver, seenMask }) d?.Dispose();
        base.Dispose();
    }
}
