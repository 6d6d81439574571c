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

/// <summary>A data set cut into a sequence of tasks under one scenario.</summary>
public sealed class TaskStream
{
    TaskStream(DataSet data, string scenario, IReadOnlyList<TaskSpec> tasks) { Data = data; Scenario = scenario; Tasks = tasks; }

    public DataSet Data { get; }
    public string Scenario { get; }
    public IReadOnlyList<TaskSpec> Tasks { get; }
    public bool HasPermutations => Tasks.Any(t => t.PixelPermutation is not null);

    public static TaskStream Build(DataSet data, RunConfig config)
    {
        var split = TaskSplit.Parse(config.Tasks);
        var permutations = new int[]?[split.Length];
        if (config.Scenario == Scenarios.DomainIncremental)
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
        return new TaskStream(data, config.Scenario, tasks);
    }

    static int[] Permutation(int pixels, Random random)
    {
        var order = Enumerable.Range(0, pixels).ToArray();
        random.Shuffle(order);
        return order;
    }
}
