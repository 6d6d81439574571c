using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Experience replay with a fixed memory: MemoryPerClass samples per class, each class's slots filled by reservoir
/// sampling over the stream (every sample seen has the same chance to be kept). Each training batch is mixed with
/// an equally sized batch drawn from the memory.
/// </summary>
public sealed class ReservoirReplay : Strategy
{
    /// <summary>Samples kept per class; shared by the memory-based replays (er, der read the same field).</summary>
    public static readonly StrategyParameter MemoryPerClass =
        new("memoryPerClass", "Memory per class", "samples kept per class") { Kind = ParameterKind.Integer, Default = 20, Min = 1, Max = 10_000 };

    public static StrategyInfo Info { get; } = new("replay-reservoir", "replay-reservoir — fixed memory per class", "A fixed memory per class, mixed into each batch.",
        "Keeps a fixed number of images per class (reservoir sampling) and replays them: memory stays bounded however many tasks come.")
    {
        Parameters = [MemoryPerClass],
        NamingParameter = "memoryPerClass",
    };

    readonly Dictionary<int, List<Sample>> slots = [];
    readonly Dictionary<int, int> seen = [];

    public override IReadOnlyList<Sample> Memory => slots.Values.SelectMany(s => s).ToArray();

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var memory = Memory;
        Tensor loss;
        if (memory.Count == 0) loss = ctx.CrossEntropy(batch);
        else
        {
            var replayed = Enumerable.Range(0, batch.Samples.Length).Select(_ => memory[ctx.Random.Next(memory.Count)]);
            loss = ctx.CrossEntropy(ctx.MakeBatch([.. batch.Samples, .. replayed]));
        }
        foreach (var sample in batch.Samples) Observe(ctx, sample);
        return loss;
    }

    void Observe(TrainingContext ctx, Sample sample)
    {
        int label = ctx.Stream.Data.Train.Labels[sample.Index];
        if (!slots.TryGetValue(label, out var slot)) slots[label] = slot = [];
        int n = seen[label] = seen.GetValueOrDefault(label) + 1;
        if (slot.Count < ctx.Config.MemoryPerClass) slot.Add(sample);
        else
        {
            int j = ctx.Random.Next(n);
            if (j < slot.Count) slot[j] = sample;
        }
    }
}
