using ContinualLearning.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Models;

/// <summary>
/// The generator of generative replay: a VAE (always Adam 0.001) trained on each task's inputs together with the
/// previous generator's drawings, weighted 1/t and (t−1)/t at task t; the frozen previous copy that draws the replayed
/// images; and the images the dashboard shows. Kept apart from the strategy, which only decides what replay means.
/// </summary>
public sealed class ReplayGenerator : IDisposable
{
    const int DisplayImages = 16;
    readonly Vae current;
    readonly TrainingOptimizer optimizer;
    // Fixed latent codes for the live images, drawn from their own generator so showing them never changes training.
    readonly Tensor displayCodes;
    Vae? previous;

    public ReplayGenerator(int pixels, int hidden, int latent, int seed)
    {
        current = new Vae(pixels, hidden, latent);
        optimizer = TrainingOptimizer.Adam(current.parameters(), 0.001);
        using var displayRandom = new Generator((ulong)seed);
        displayCodes = randn(DisplayImages, latent, generator: displayRandom).DetachFromDisposeScope();
    }

    /// <summary>Updates so far (classifier steps plus the extra iterations at task ends).</summary>
    public long Steps { get; private set; }

    /// <summary>Whether a finished task left a previous generator to replay from.</summary>
    public bool CanReplay => previous is not null;

    /// <summary>Images in [0, 1] drawn by the previous generator (no gradient).</summary>
    public Tensor Replay(int count, Generator random)
    {
        using var _ = no_grad();
        return previous!.Sample(count, random);
    }

    /// <summary>One update on real inputs, and on replayed images (weighted by the earlier tasks' share) when given.</summary>
    public void Train(Tensor inputs, Tensor? replayed, double currentWeight, Generator random)
    {
        optimizer.ZeroGrad();
        var loss = current.Loss(inputs, random).Loss;
        if (replayed is not null) loss = loss.Times(currentWeight).Plus(current.Loss(replayed, random).Loss.Times(1 - currentWeight));
        loss.backward();
        optimizer.Step();
        Steps++;
    }

    /// <summary>Extra iterations at a task's end: batches of the task's samples, with replay from the previous generator as in training.</summary>
    public void TrainFurther(TrainingContext ctx, long iterations, double currentWeight)
    {
        var samples = ctx.CurrentTask.Train.ToArray();
        for (long i = 0, start = samples.Length; i < iterations; i++, start += ctx.Config.BatchSize)
        {
            ctx.ThrowIfCancelled();
            if (start >= samples.Length) { ctx.Random.Shuffle(samples); start = 0; }
            using var _ = NewDisposeScope();
            var inputs = ctx.MakeBatch(samples.AsSpan((int)start, Math.Min(ctx.Config.BatchSize, samples.Length - (int)start)).ToArray()).Inputs;
            Train(inputs, CanReplay ? Replay((int)inputs.shape[0], ctx.Generator) : null, currentWeight, ctx.Generator);
        }
    }

    /// <summary>The current generator becomes the previous one, which replays for the next task.</summary>
    public void KeepAsPrevious()
    {
        previous?.Dispose();
        previous = current.FrozenCopy();
    }

    /// <summary>Freshly drawn images from the current generator, 8-bit grayscale row-major.</summary>
    public byte[][] SampleImages(int count, Generator random)
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        return ToBytes(current.Sample(count, random), count);
    }

    /// <summary>The fixed display codes decoded by the current generator: the same codes each time, so they show it evolving.</summary>
    public byte[][] LiveImages()
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        current.eval();
        var images = ToBytes(current.DecodeLogits(displayCodes).sigmoid(), DisplayImages);
        current.train();
        return images;
    }

    static byte[][] ToBytes(Tensor images, int count)
    {
        var pixels = images.Times(255).round().to_type(ScalarType.Byte).data<byte>().ToArray();
        int size = pixels.Length / count;
        return Enumerable.Range(0, count).Select(i => pixels.AsSpan(i * size, size).ToArray()).ToArray();
    }

    public void Dispose()
    {
        current.Dispose();
        previous?.Dispose();
        optimizer.Dispose();
        displayCodes.Dispose();
    }
}
