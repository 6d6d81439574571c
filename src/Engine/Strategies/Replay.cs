using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Experience replay as in the seed: after each task keep a random ReplayRatio fraction of its training samples;
/// every later task trains on its own data concatenated with the whole memory, shuffled together.
/// </summary>
public sealed class Replay : Strategy
{
    public static StrategyInfo Info { get; } = new("replay", "replay — keep a fraction of each task", "Keeps a fraction of each finished task.",
        "Keeps a fraction of each finished task's images and mixes them into later training. More memory remembers more, at the cost of storing data.")
    {
        Parameters = [new("replayRatio", "Replay ratio", "fraction of each finished task's samples kept") { Default = 0.1, Min = 0, Max = 1, Step = 0.01 }],
        NamingParameter = "replayRatio",
    };

    readonly List<Sample> memory = [];
    Random? chooser;

    public override IReadOnlyList<Sample> Memory => memory;

    public override IReadOnlyList<Sample> TrainingSamples(TrainingContext ctx) => [.. ctx.CurrentTask.Train, .. memory];

    public override void EndTask(TrainingContext ctx)
    {
        // Nothing trains after the last task, so its samples would never be replayed: the memory stays what the
        // designer says it keeps (task 1's share in a two-task run), and the live memory panel shows just that.
        if (!ctx.MoreTasksFollow) return;
        var train = ctx.CurrentTask.Train.ToArray();
        // Its own seeded source, so the training stream is shuffled exactly as naive's (ratio 0 is naive).
        (chooser ??= new Random(ctx.Config.Seed)).Shuffle(train);
        memory.AddRange(train.Take(KeptCount(train.Length, ctx.Config.ReplayRatio)));
    }

    /// <summary>How many of a task's samples the ratio keeps (shown live next to the slider).</summary>
    public static int KeptCount(int taskSamples, double ratio) => (int)Math.Round(taskSamples * ratio);
}
