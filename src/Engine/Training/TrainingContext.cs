using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Strategies;
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
    Tensor? permutationTable;

    public TrainingContext(RunConfig config, TaskStream stream)
    {
        Config = config;
        Stream = stream;
        Random = new Random(config.Seed);
        Generator = new torch.Generator((ulong)config.Seed);
        var data = stream.Data;
        // Pixels become floats in [0, 1] once per run, as the seed's ToTensor() does; batches are gathered from these.
        trainImages = ToImages(data.Train);
        // Labels as the model answers them: the class, or its position within its task in split domain-incremental.
        trainLabels = tensor(data.Train.Labels.Select(l => (long)stream.Label(l)).ToArray());
        testImages = ToImages(data.Test);
        testLabels = tensor(data.Test.Labels.Select(l => (long)stream.Label(l)).ToArray());
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
    public TrainingOptimizer Optimizer { get; internal set; } = null!;
    /// <summary>Index of the task being trained.</summary>
    public int Task { get; internal set; }
    public TaskSpec CurrentTask => Stream.Tasks[Task];
    /// <summary>
    /// False while the last task trains and ends: work that only serves later tasks (Fishers, importances, frozen
    /// copies, memories) is skipped then, since nothing trains after it.
    /// </summary>
    public bool MoreTasksFollow => Task < Stream.Tasks.Count - 1;
    public long Step { get; internal set; }
    /// <summary>The global step at which the current task began (Step − TaskStartStep = steps done in this task).</summary>
    public long TaskStartStep { get; internal set; }

    /// <summary>The run's cancellation: long work inside a step or at a task's end checks it between iterations.</summary>
    public CancellationToken Cancellation { get; internal set; }

    /// <summary>Throws OperationCanceledException when the run was cancelled.</summary>
    public void ThrowIfCancelled() => Cancellation.ThrowIfCancellationRequested();

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
        model ??= Model;
        Tensor? ids = null;
        Tensor Ids() => ids ??= taskIds();
        var logits = model is ITaskAwareModel byTask ? byTask.Forward(inputs, Ids()) : model.call(inputs);
        return taskClassMask is null ? logits : logits.Plus(taskClassMask.index_select(0, Ids()));
    }

    public Tensor Logits(Tensor inputs, Tensor taskIds, nn.Module<Tensor, Tensor>? model = null) => Logits(inputs, () => taskIds, model);

    public Tensor Logits(Batch batch) => Logits(batch.Inputs, () => batch.TaskIds);

    public Tensor CrossEntropy(Batch batch) => nn.functional.cross_entropy(Logits(batch), batch.Labels);

    /// <summary>The configured optimizer over the given parameters (the loop's own, or a strategy's per-task one).</summary>
    public TrainingOptimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters) => Config.Optimizer == "adam"
        ? TrainingOptimizer.Adam(parameters, Config.LearningRate)
        : TrainingOptimizer.Sgd(parameters, Config.LearningRate, Config.Momentum);

    /// <summary>The run's model, built from its seed: the strategy's own (PNN, generative replay) or the configured architecture.</summary>
    public nn.Module<Tensor, Tensor> SeededModel(Strategy strategy) => TorchRandom.Seeded(Config.Seed, () => strategy.CreateModel(this) ?? NewModel());

    /// <summary>A fresh model of the configured architecture. Its weights come from the process-wide generator, so build it through <see cref="TorchRandom"/>.</summary>
    public nn.Module<Tensor, Tensor> NewModel() => ModelFactory.Create(Config.Model, Stream.Data.Train.Rows, Stream.Outputs, Config.HiddenSizes);

    /// <summary>A frozen copy of the current model (same architecture, same weights, no gradients), e.g. the "previous model".</summary>
    public nn.Module<Tensor, Tensor> FrozenCopy()
    {
        var copy = TorchRandom.Unseeded(NewModel);
        using (no_grad())
        {
            var source = Model.state_dict();
            foreach (var (name, tensor) in copy.state_dict()) tensor.copy_(source[name]);
        }
        foreach (var p in copy.parameters()) p.requires_grad = false;
        copy.eval();
        return copy;
    }

    /// <summary>The outputs (labels) of the first <paramref name="tasks"/> tasks' classes, in order: what a "previous model" knows.</summary>
    public long[] SeenOutputs(int tasks) => [.. Stream.Tasks.Take(tasks).SelectMany(t => t.Classes).Select(k => (long)Stream.Label(k)).Distinct().Order()];

    /// <summary>Classes of the tasks before the current one (what a "previous model" knows), as a 0/-inf mask [outputs] for its logits.</summary>
    public Tensor SeenClassMask(int tasks)
    {
        var mask = new float[Stream.Outputs];
        Array.Fill(mask, float.NegativeInfinity);
        foreach (var k in SeenOutputs(tasks)) mask[k] = 0;
        return tensor(mask);
    }

    // Domain-incremental: each row picks its pixels through its task's permutation. The permutation table is one
    // tensor [tasks, pixels] made on first use, so a batch allocates no large managed index arrays (those fill the
    // large-object heap and force full garbage collections, which widen TorchSharp's Scalar finalizer race).
    Tensor Gather(Tensor images, (int Index, int Task)[] rows)
    {
        permutationTable ??= MakePermutationTable((int)images.shape[1]);
        var selected = images.index_select(0, tensor(rows.Select(r => (long)r.Index).ToArray()));
        var perRow = permutationTable.index_select(0, tensor(rows.Select(r => (long)r.Task).ToArray()));
        return selected.gather(1, perRow);
    }

    Tensor MakePermutationTable(int pixels)
    {
        var table = new long[Stream.Tasks.Count * pixels];
        foreach (var t in Stream.Tasks)
            for (int p = 0; p < pixels; p++) table[t.Index * pixels + p] = t.PixelPermutation?[p] ?? p;
        return tensor(table, [Stream.Tasks.Count, pixels]).DetachFromDisposeScope();
    }

    static Tensor ToImages(Data.ImageSet set)
    {
        using var scope = NewDisposeScope();
        return tensor(set.Pixels, [set.Count, set.PixelsPerImage], ScalarType.Byte).to_type(ScalarType.Float32).div_(StableScalars.ByteMaximum).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        trainImages.Dispose(); trainLabels.Dispose(); testImages.Dispose(); testLabels.Dispose();
        taskClassMask?.Dispose();
        permutationTable?.Dispose();
        Generator.Dispose();
    }
}
