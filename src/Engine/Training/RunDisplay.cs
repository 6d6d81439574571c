using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// What a run shows besides its numbers — the prediction grid's images, a glimpse of the replay memory, the generator's
/// images — kept apart from the training loop, which only asks for them at its events.
/// </summary>
static class RunDisplay
{
    const int PreviewImages = 24;
    const int MemoryImages = 16;
    /// <summary>Every this many evaluation intervals, an evaluation event also carries the strategy's live generated images.</summary>
    public const int GeneratedImagesEveryEvaluations = 5;

    /// <summary>A fixed set of test images spread over all classes, for the live prediction grid.</summary>
    public static int[] PreviewIndices(TaskStream stream)
    {
        var labels = stream.Data.Test.Labels;
        var classes = stream.Tasks.SelectMany(t => t.Classes).Distinct().ToArray();
        int perClass = (PreviewImages + classes.Length - 1) / Math.Max(1, classes.Length);
        var byClass = classes.Select(k => Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).Take(perClass).ToArray()).ToArray();
        // Round-robin over classes so every class shows up even when the grid cannot hold equal shares.
        return Enumerable.Range(0, perClass).SelectMany(r => byClass.Where(c => r < c.Length).Select(c => c[r])).Take(PreviewImages).ToArray();
    }

    /// <summary>The model's predicted class for each preview image; the model must be in eval mode.</summary>
    public static int[] Predictions(TrainingContext ctx, int[] preview)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (inputs, _) = ctx.TestBatch(0, preview);
        // Each preview image is predicted with the head of the first task that holds its class (task-incremental, pnn).
        var labels = ctx.Stream.Data.Test.Labels;
        Tensor TaskIds() => tensor(preview.Select(i => (long)Math.Max(0, ctx.Stream.Tasks.ToList().FindIndex(t => t.Classes.Contains(labels[i])))).ToArray());
        return ctx.Logits(inputs, TaskIds).argmax(1).data<long>().Select(p => (int)p).ToArray();
    }

    /// <summary>The generator's live images at every GeneratedImagesEveryEvaluations-th evaluation (generative replay only).</summary>
    public static byte[][]? LiveGeneratedImages(TrainingContext ctx, Strategy strategy) =>
        ctx.Step % ((long)ctx.Config.EvalEvery * GeneratedImagesEveryEvaluations) == 0 ? strategy.LiveGeneratedImages(ctx) : null;

    /// <summary>Up to MemoryImages memory samples, round-robin over the classes held, so every class shows; null without a memory.</summary>
    public static int[]? MemorySample(IReadOnlyList<Sample> memory, byte[] labels) =>
        memory.Count == 0 ? null : memory.GroupBy(s => labels[s.Index]).OrderBy(g => g.Key)
            .SelectMany(g => g.Select((s, rank) => (s.Index, rank, g.Key)))
            .OrderBy(x => x.rank).ThenBy(x => x.Key).Take(MemoryImages).Select(x => x.Index).ToArray();
}
