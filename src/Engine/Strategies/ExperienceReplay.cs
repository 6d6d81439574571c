using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Experience replay as in the literature (Chaudhry et al. 2019, "On tiny episodic memories"; Mammoth's er): a fixed
/// memory of MemoryPerClass samples per class, each class's slots filled by reservoir sampling over the stream. Every
/// step draws a separate replay batch of the current batch's size from the memory; loss = CE(current) + CE(replay).
/// The memory takes the current batch only after its loss, so a step never replays what it is learning.
/// </summary>
public sealed class ExperienceReplay : Strategy
{
    public static StrategyInfo Info { get; } = new("er", "er — experience replay (separate replay batch)", "Reservoir memory per class; a replay batch beside each batch.",
        "Experience replay as in the literature: a fixed memory per class, filled by reservoir sampling, and every step a separate batch of the same size drawn from it; the loss adds the replayed batch's loss to the current one.")
    {
        Parameters = [ReservoirReplay.MemoryPerClass],
        NamingParameter = "memoryPerClass",
    };

    public ClassReservoir<Sample> Reservoir { get; } = new();

    public override IReadOnlyList<Sample> Memory => Reservoir.Items;

    /// <summary>Samples in the last replay batch (0 before the memory holds anything).</summary>
    public int LastReplayBatchSize { get; private set; }

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var loss = ctx.CrossEntropy(batch);
        if (Reservoir.Count > 0)
        {
            var replay = Reservoir.Draw(ctx.Random, batch.Samples.Length);
            LastReplayBatchSize = replay.Length;
            loss = loss.Plus(ctx.CrossEntropy(ctx.MakeBatch(replay)));
        }
        foreach (var sample in batch.Samples) Reservoir.Offer(ctx.Stream.Data.Train.Labels[sample.Index], sample, ctx.Config.MemoryPerClass, ctx.Random);
        return loss;
    }
}

/// <summary>A memory of at most a given number of items per class, each class filled by reservoir sampling (Vitter's algorithm R).</summary>
public sealed class ClassReservoir<T>
{
    readonly SortedDictionary<int, List<T>> slots = [];
    readonly Dictionary<int, int> seen = [];

    public IReadOnlyList<T> Items => [.. slots.Values.SelectMany(s => s)];
    public int Count => slots.Values.Sum(s => s.Count);
    public IReadOnlyList<T> Of(int label) => slots.GetValueOrDefault(label) ?? [];
    /// <summary>Items of this class offered so far.</summary>
    public int Seen(int label) => seen.GetValueOrDefault(label);

    /// <summary>The n-th item of a class is kept with probability capacity/n, replacing a uniformly chosen one.</summary>
    public void Offer(int label, T item, int capacity, Random random)
    {
        if (!slots.TryGetValue(label, out var slot)) slots[label] = slot = [];
        int n = seen[label] = Seen(label) + 1;
        if (slot.Count < capacity) slot.Add(item);
        else if (random.Next(n) is var j && j < slot.Count) slot[j] = item;
    }

    /// <summary>n items drawn without replacement while the memory has enough, then with replacement, so a draw always has n.</summary>
    public T[] Draw(Random random, int n)
    {
        var items = Items.ToArray();
        for (int i = 0; i < Math.Min(n, items.Length); i++) // partial Fisher-Yates: only the first n places are shuffled
        {
            int j = random.Next(i, items.Length);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return [.. Enumerable.Range(0, n).Select(i => i < items.Length ? items[i] : items[random.Next(items.Length)])];
    }
}
