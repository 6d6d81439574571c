namespace ContinualLearning.Engine.Strategies;

/// <summary>Plain fine-tuning on each task in turn: the lower bound, and the seed's first run.</summary>
public sealed class Naive : Strategy
{
    public static StrategyInfo Info { get; } = new("naive", "naive — no remedy (forgets)", "No remedy: the lower bound.",
        "Trains on each task in turn with nothing to protect the earlier ones: the lower bound, where forgetting shows.");
}
