using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Engine.Tasks;

/// <summary>A training sample: its index in the data set's train split and the task it belongs to (which decides its permutation or head).</summary>
public readonly record struct Sample(int Index, int Task);

/// <summary>One task of the stream: its classes, training samples, full test set and the fixed subset used for live curves.</summary>
public sealed record TaskSpec(int Index, int[] Classes, Sample[] Train, int[] Test, int[] EvalSubset, int[]? PixelPermutation = null)
{
    public string Label => PixelPermutation is null ? $"Task {Index + 1} ({TaskSplit.Format([Classes])})" : $"Task {Index + 1} (permutation {Index})";
}

/// <summary>
/// A data set cut into a sequence of tasks under one scenario. Domain-incremental comes in two protocols: one class set
/// repeated over pixel permutations (Permuted MNIST), or tasks of equal size whose classes share one output head of that
/// size (split MNIST as van de Ven et al. 2022 run it): the label is the class's position within its task's list, so
/// with tasks 0,1|2,3|… the model only answers "first or second digit of the pair", never which pair.
/// </summary>
public sealed class TaskStream
{
    readonly int[]? positionOfClass;

    TaskStream(DataSet data, string scenario, IReadOnlyList<TaskSpec> tasks, int[]? positionOfClass)
    {
        Data = data; Scenario = scenario; Tasks = tasks; this.positionOfClass = positionOfClass;
    }

    public DataSet Data { get; }
    public string Scenario { get; }
    public IReadOnlyList<TaskSpec> Tasks { get; }
    public bool HasPermutations => Tasks.Any(t => t.PixelPermutation is not null);
    /// <summary>Split domain-incremental: labels are positions within each task (one shared head of the tasks' size).</summary>
    public bool LabelsArePositions => positionOfClass is not null;
    /// <summary>The model's output size: the data set's classes, or the task size when labels are positions.</summary>
    public int Outputs => LabelsArePositions ? Tasks[0].Classes.Length : Data.ClassCount;

    /// <summary>The label (output index) a sample of this data class is trained and tested against.</summary>
    public int Label(int dataClass) => positionOfClass is null ? dataClass : positionOfClass[dataClass];

    /// <summary>What each output means when labels are positions ("0/2/4/6/8" for the first digit of each pair); else null.</summary>
    public string[]? OutputNames => LabelsArePositions
        ? Enumerable.Range(0, Outputs).Select(p => string.Join("/", Tasks.Select(t => Data.ClassNames[t.Classes[p]]))).ToArray()
        : null;

    public static TaskStream Build(DataSet data, RunConfig config)
    {
        var split = TaskSplit.Parse(config.Tasks);
        var permutations = new int[]?[split.Length];
        int[]? positions = null;
        if (Scenarios.IsSplitDomain(config))
        {
            // Every class belongs to one task (the validator's rule), so its position there is its label.
            positions = new int[data.ClassCount];
            foreach (var classes in split) for (int p = 0; p < classes.Length; p++) positions[classes[p]] = p;
        }
        else if (config.Scenario == Scenarios.DomainIncremental)
        {
            // Permuted MNIST: every task sees the same classes; task 1 is the unpermuted data, each later task a fixed
            // random pixel permutation drawn from its own seeded source (so eval-subset settings never change it).
            split = Enumerable.Repeat(split[0], config.Permutations).ToArray();
            var shuffler = new Random(unchecked(config.Seed * 31 + 7));
            permutations = split.Select((_, t) => t == 0 ? null : Permutation(data.Train.PixelsPerImage, shuffler)).ToArray();
        }
        var random = new Random(config.Seed);
        var tasks = split.Select((classes, t) =>
        {
            var set = classes.ToHashSet();
            var train = Enumerable.Range(0, data.Train.Count).Where(i => set.Contains(data.Train.Labels[i])).Select(i => new Sample(i, t)).ToArray();
            var test = Enumerable.Range(0, data.Test.Count).Where(i => set.Contains(data.Test.Labels[i])).ToArray();
            var subset = test.ToArray();
            random.Shuffle(subset);
            subset = subset.Take(config.EvalSamplesPerTask).Order().ToArray();
            return new TaskSpec(t, classes, train, test, subset, permutations[t]);
        }).ToArray();
        return new TaskStream(data, config.Scenario, tasks, positions);
    }

    static int[] Permutation(int pixels, Random random)
    {
        var order = Enumerable.Range(0, pixels).ToArray();
        random.Shuffle(order);
        return order;
    }
}
