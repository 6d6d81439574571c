using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Deep generative replay (Shin et al. 2017). A VAE generator learns each task's inputs together with replayed ones;
/// from task 2 on, every batch is paired with as many images drawn from the previous generator, labelled by the previous
/// classifier (argmax over the classes seen so far). Current and replayed losses are weighted 1/t and (t−1)/t at task t
/// (van de Ven et al.), for the classifier and the generator alike. The VAE always uses Adam 0.001.
/// </summary>
public sealed class GenerativeReplay : Strategy
{
    Vae? generator, previousGenerator;
    TrainingOptimizer? generatorOptimizer;
    nn.Module<Tensor, Tensor>? previousSolver;
    Tensor? seenMask;
    // Fixed latent codes for the live images, drawn from their own generator so showing them never changes training.
    Tensor? displayCodes;

    public static StrategyInfo Info { get; } = new("generative-replay", "generative-replay — a VAE replays digits", "A VAE draws earlier tasks' images to replay.",
        "A variational autoencoder learns to draw the tasks' images; later tasks mix in its drawings, labelled by the previous model, so no real images are kept. A wider generator draws better but trains slower.")
    {
        Parameters =
        [
            new("generatorHidden", "VAE hidden width", "hidden width of the VAE") { Kind = ParameterKind.Integer, Default = 400, Min = 8, Max = 2048 },
            new("generatorLatent", "Latent size", "latent size of the VAE") { Kind = ParameterKind.Integer, Default = 32, Min = 2, Max = 512 },
        ],
    };

    public override nn.Module<Tensor, Tensor>? CreateModel(TrainingContext ctx)
    {
        // Classifier first, so it starts from the same weights as every other strategy with this seed.
        var data = ctx.Stream.Data;
        var model = ModelFactory.Create(ctx.Config.Model, data.Train.Rows, data.ClassCount, ctx.Config.HiddenSizes);
        generator = new Vae(data.Train.PixelsPerImage, ctx.Config.GeneratorHidden, ctx.Config.GeneratorLatent);
        generatorOptimizer = TrainingOptimizer.Adam(generator.parameters(), 0.001);
        using (var displayRandom = new Generator((ulong)ctx.Config.Seed))
            displayCodes = randn(16, ctx.Config.GeneratorLatent, generator: displayRandom).DetachFromDisposeScope();
        return model;
    }

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var current = ctx.CrossEntropy(batch);
        if (previousGenerator is null)
        {
            TrainGenerator(ctx, batch.Inputs, null, 0);
            return current;
        }
        Tensor images, labels, taskIds;
        using (no_grad())
        {
            images = previousGenerator.Sample((int)batch.Inputs.shape[0], ctx.Generator);
            labels = previousSolver!.call(images).Plus(seenMask!).argmax(1);
            taskIds = TaskOfClass(ctx, labels);
        }
        var replayed = nn.functional.cross_entropy(ctx.Logits(images, taskIds), labels);
        double currentWeight = 1.0 / (ctx.Task + 1);
        TrainGenerator(ctx, batch.Inputs, images, currentWeight);
        return current.Times(currentWeight).Plus(replayed.Times(1 - currentWeight));
    }

    void TrainGenerator(TrainingContext ctx, Tensor inputs, Tensor? replayed, double currentWeight)
    {
        generatorOptimizer!.ZeroGrad();
        var loss = generator!.Loss(inputs, ctx.Generator).Loss;
        if (replayed is not null) loss = loss.Times(currentWeight).Plus(generator.Loss(replayed, ctx.Generator).Loss.Times(1 - currentWeight));
        loss.backward();
        generatorOptimizer.Step();
    }

    // Generated samples carry the task of their predicted class: it picks the head in task-incremental.
    static Tensor TaskOfClass(TrainingContext ctx, Tensor labels)
    {
        var taskOf = new long[ctx.Stream.Data.ClassCount];
        foreach (var t in ctx.Stream.Tasks.Reverse()) foreach (var k in t.Classes) taskOf[k] = t.Index;
        return tensor(taskOf).index_select(0, labels);
    }

    public override void EndTask(TrainingContext ctx)
    {
        previousSolver?.Dispose();
        previousSolver = ctx.FrozenCopy();
        previousGenerator?.Dispose();
        previousGenerator = CopyOf(generator!);
        seenMask?.Dispose();
        seenMask = ctx.SeenClassMask(ctx.Task + 1).DetachFromDisposeScope();
    }

    static Vae CopyOf(Vae source)
    {
        var copy = new Vae(source.Pixels, source.Hidden, source.Latent);
        using (no_grad())
        {
            var weights = source.state_dict();
            foreach (var (name, t) in copy.state_dict()) t.copy_(weights[name]);
        }
        foreach (var p in copy.parameters()) p.requires_grad = false;
        copy.eval();
        return copy;
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
