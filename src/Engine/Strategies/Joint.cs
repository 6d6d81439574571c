using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// The upper bound: at task i it trains on the data of all tasks 0..i together, so after the last task
/// the model has been trained jointly on everything (cumulative joint training).
/// </summary>
public sealed class Joint : Strategy
{
    public static StrategyInfo Info { get; } = new("joint", "joint — all data so far (upper bound)", "All data so far: the upper bound.",
        "Trains on all the data seen so far at every task: the upper bound, not a continual learner.");

    public override IReadOnlyList<Sample> TrainingSamples(TrainingContext ctx) =>
        ctx.Stream.Tasks.Take(ctx.Task + 1).SelectMany(t => t.Train).ToArray();
}
