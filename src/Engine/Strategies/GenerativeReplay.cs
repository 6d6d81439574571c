using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Deep generative replay (Shin et al. 2017; van de Ven et al. 2020, 2022). A VAE generator learns each task's inputs
/// together with replayed ones; from task 2 on, every batch is paired with as many images drawn from the previous
/// generator, labelled by the previous classifier: hard targets (its top class) or soft targets (its scores at a
/// temperature T, trained with T²-scaled distillation, "DGR+distill"). The labels come from the classes the previous
/// model knew; in task-incremental each replayed image is assigned an earlier task at random and labelled within that
/// task's head. Current and replayed losses are weighted 1/t and (t−1)/t at task t, for the classifier and the generator
/// alike. The generator may train generatorIterationRatio × the classifier's iterations per task (the extra ones at the
/// task's end). The VAE always uses Adam 0.001.
/// </summary>
public sealed class GenerativeReplay : Strategy
{
    Vae? generator, previousGenerator;
    TrainingOptimizer? generatorOptimizer;
    nn.Module<Tensor, Tensor>? previousSolver;
    Tensor? seenMask;
    // Fixed latent codes for the live images, drawn from their own generator so showing them never changes training.
    Tensor? displayCodes;

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
    public long GeneratorSteps { get; private set; }

    public override nn.Module<Tensor, Tensor>? CreateModel(TrainingContext ctx)
    {
        // Classifier first, so it starts from the same weights as every other strategy with this seed.
        var data = ctx.Stream.Data;
        var model = ModelFactory.Create(ctx.Config.Model, data.Train.Rows, ctx.Stream.Outputs, ctx.Config.HiddenSizes);
        generator = new Vae(data.Train.PixelsPerImage, ctx.Config.GeneratorHidden, ctx.Config.GeneratorLatent);
        generatorOptimizer = TrainingOptimizer.Adam(generator.parameters(), 0.001);
        using (var displayRandom = new Generator((ulong)ctx.Config.Seed))
            displayCodes = randn(16, ctx.Config.GeneratorLatent, generator: displayRandom).DetachFromDisposeScope();
        return model;
    }

    double CurrentWeight(TrainingContext ctx) => 1.0 / (ctx.Task + 1);

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var current = ctx.CrossEntropy(batch);
        if (previousGenerator is null)
        {
            TrainGenerator(ctx, batch.Inputs, null);
            return current;
        }
        var (images, taskIds, previousScores) = ReplayBatch(ctx, (int)batch.Inputs.shape[0]);
        var replayed = ReplayLoss(ctx, ctx.Logits(images, taskIds), previousScores);
        TrainGenerator(ctx, batch.Inputs, images);
        return current.Times(CurrentWeight(ctx)).Plus(replayed.Times(1 - CurrentWeight(ctx)));
    }

    /// <summary>
    /// Images from the previous generator, the task whose head answers each (task-incremental: an earlier task drawn
    /// uniformly; else 0), and the previous classifier's logits over the classes it knew (others −∞).
    /// </summary>
    public (Tensor Images, Tensor TaskIds, Tensor PreviousScores) ReplayBatch(TrainingContext ctx, int count)
    {
        using var _ = no_grad();
        var images = previousGenerator!.Sample(count, ctx.Generator);
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

    void TrainGenerator(TrainingContext ctx, Tensor inputs, Tensor? replayed)
    {
        generatorOptimizer!.ZeroGrad();
        var loss = generator!.Loss(inputs, ctx.Generator).Loss;
        if (replayed is not null) loss = loss.Times(CurrentWeight(ctx)).Plus(generator.Loss(replayed, ctx.Generator).Loss.Times(1 - CurrentWeight(ctx)));
        loss.backward();
        generatorOptimizer.Step();
        GeneratorSteps++;
    }

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // the copies and the extra generator training only serve later tasks
        TrainGeneratorFurther(ctx, (long)Math.Round((IterationRatio.Number(ctx.Config) - 1) * (ctx.Step - ctx.TaskStartStep)));
        previousSolver?.Dispose();
        previousSolver = ctx.FrozenCopy();
        previousGenerator?.Dispose();
        previousGenerator = generator!.FrozenCopy();
        seenMask?.Dispose();
        seenMask = ctx.SeenClassMask(ctx.Task + 1).DetachFromDisposeScope();
    }

    // The generator's extra iterations: batches of the task's samples, with replay from the previous generator as in training.
    void TrainGeneratorFurther(TrainingContext ctx, long iterations)
    {
        var samples = ctx.CurrentTask.Train.ToArray();
        for (long i = 0, start = samples.Length; i < iterations; i++, start += ctx.Config.BatchSize)
        {
            ctx.ThrowIfCancelled();
            if (start >= samples.Length) { ctx.Random.Shuffle(samples); start = 0; }
            using var _ = NewDisposeScope();
            var inputs = ctx.MakeBatch(samples.AsSpan((int)start, Math.Min(ctx.Config.BatchSize, samples.Length - (int)start)).ToArray()).Inputs;
            Tensor? replayed = null;
            if (previousGenerator is not null) using (no_grad()) replayed = previousGenerator.Sample((int)inputs.shape[0], ctx.Generator);
            TrainGenerator(ctx, inputs, replayed);
        }
    }

    /// <summary>Images from the current generator, 8-bit grayscale row-major, for the dashboard's samples panel.</summary>
    public byte[][] SampleImages(TrainingContext ctx, int count)
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        return ToBytes(generator!.Sample(count, ctx.Generator), count);
    }

    public override byte[][]? GeneratedImages(TrainingContext ctx) => SampleImages(ctx, 16);

    public override byte[][]? LiveGeneratedImages(TrainingContext ctx)
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        generator!.eval();
        var images = ToBytes(generator.DecodeLogits(displayCodes!).sigmoid(), (int)displayCodes!.shape[0]);
        generator.train();
        return images;
    }

    static byte[][] ToBytes(Tensor images, int count)
    {
        var pixels = images.Times(255).round().to_type(ScalarType.Byte).data<byte>().ToArray();
        int size = pixels.Length / count;
        return Enumerable.Range(0, count).Select(i => pixels.AsSpan(i * size, size).ToArray()).ToArray();
    }

    public override void Dispose()
    {
        foreach (var d in new IDisposable?[] { generator, previousGenerator, generatorOptimizer, previousSolver, seenMask, displayCodes }) d?.Dispose();
        base.Dispose();
    }
}
