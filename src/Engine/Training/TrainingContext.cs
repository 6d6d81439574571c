using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>A batch of training samples as tensors: inputs [B, pixels] in [0, 1], labels [B], task ids [B].</summary>
public sealed class Batch(Sample[] samples, Tensor inputs, Tensor labels)
{
    Tensor? taskIds;

    public Sample[] Samples { get; } = samples;
    public Tensor Inputs { get; } = inputs;
    public Tensor Labels { get; } = labels;
    /// <summary>Made on first use: most strategies and scenarios never need it.</summary>
    public Tensor TaskIds => taskIds ??= tensor(Samples.Select(s => (long)s.Task).ToArray());
}

/// <summary>
/// What a strategy sees of the run: the config, the task stream, the model and optimizer, a seeded random source,
/// and helpers to turn samples into tensors and logits. One context per run, used on the run's own thread.
/// </summary>
public sealed class TrainingContext : IDisposable
{
    readonly Tensor trainImages, trainLabels, testImages, testLabels;
    readonly Tensor? taskClassMask;

    public TrainingContext(RunConfig config, TaskStream stream)
    {
        Config = config;
        Stream = stream;
        Random = new Random(config.Seed);
        Generator = new torch.Generator((ulong)config.Seed);
        var data = stream.Data;
        // Pixels become floats in [0, 1] once per run, as the seed's ToTensor() does; batches are gathered from these.
        trainImages = ToImages(data.Train);
        trainLabels = tensor(data.Train.Labels.Select(l => (long)l).ToArray());
        testImages = ToImages(data.Test);
        testLabels = tensor(data.Test.Labels.Select(l => (long)l).ToArray());
        if (config.Scenario == Scenarios.TaskIncremental)
        {
            // Task-incremental: each task only competes among its own classes (a multi-head output by masking).
            var mask = new float[stream.Tasks.Count * data.ClassCount];
            Array.Fill(mask, float.NegativeInfinity);
            foreach (var t in stream.Tasks) foreach (var k in t.Classes) mask[t.Index * data.ClassCount + k] = 0;
            taskClassMask = tensor(mask, [stream.Tasks.Count, data.ClassCount]);
        }
    }

    public RunConfig Config { get; }
    public TaskStream Stream { get; }
    public Random Random { get; }
    /// <summary>Seeded generator for strategies that sample tensors (e.g. generative replay).</summary>
    public torch.Generator Generator { get; }
    public nn.Module<Tensor, Tensor> Model { get; internal set; } = null!;
    public optim.Optimizer Optimizer { get; internal set; } = null!;
    /// <summary>Index of the task being trained.</summary>
    public int Task { get; internal set; }
    public TaskSpec CurrentTask => Stream.Tasks[Task];
    public long Step { get; internal set; }

    public Batch MakeBatch(IReadOnlyList<Sample> samples)
    {
        var array = samples as Sample[] ?? samples.ToArray();
        var indices = tensor(array.Select(s => (long)s.Index).ToArray());
        var inputs = Stream.HasPermutations ? Gather(trainImages, array.Select(s => (s.Index, s.Task)).ToArray()) : trainImages.index_select(0, indices);
        return new Batch(array, inputs, trainLabels.index_select(0, indices));
    }

    /// <summary>Test images of one task (with that task's permutation) and their labels.</summary>
    public (Tensor Inputs, Tensor Labels) TestBatch(int task, IReadOnlyList<int> testIndices)
    {
        var indices = tensor(testIndices.Select(i => (long)i).ToArray());
        var inputs = Stream.HasPermutations ? Gather(testImages, testIndices.Select(i => (i, task)).ToArray()) : testImages.index_select(0, indices);
        return (inputs, testLabels.index_select(0, indices));
    }

    /// <summary>Logits with the scenario's head applied: in task-incremental, other tasks' classes are masked out.</summary>
    public Tensor Logits(Tensor inputs, Func<Tensor> taskIds, nn.Module<Tensor, Tensor>? model = null)
    {
        var logits = (model ?? Model).call(inputs);
        return taskClassMask is null ? logits : logits + taskClassMask.index_select(0, taskIds());
    }

    public Tensor Logits(Batch batch) => Logits(batch.Inputs, () => batch.TaskIds);

    public Tensor CrossEntropy(Batch batch) => nn.functional.cross_entropy(Logits(batch), batch.Labels);

    // Domain-incremental: pick each pixel through its task's permutation with one flat gather.
    Tensor Gather(Tensor images, (int Index, int Task)[] rows)
    {
        int pixels = (int)images.shape[1];
        var flat = new long[rows.Length * pixels];
        for (int r = 0; r < rows.Length; r++)
        {
            var perm = Stream.Tasks[rows[r].Task].PixelPermutation;
            long baseIndex = (long)rows[r].Index * pixels;
            for (int p = 0; p < pixels; p++) flat[r * pixels + p] = baseIndex + (perm?[p] ?? p);
        }
        return images.flatten().index_select(0, tensor(flat)).reshape(rows.Length, pixels);
    }

    static Tensor ToImages(Data.ImageSet set)
    {
        using var scope = NewDisposeScope();
        return tensor(set.Pixels, [set.Count, set.PixelsPerImage], ScalarType.Byte).to_type(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        trainImages.Dispose(); trainLabels.Dispose(); testImages.Dispose(); testLabels.Dispose();
        taskClassMask?.Dispose();
        Generator.Dispose();
    }
}
