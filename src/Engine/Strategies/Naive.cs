namespace ContinualLearning.Engine.Strategies;

/// <summary>Plain fine-tuning on each task in turn: the lower bound, and the seed's first run.</summary>
public sealed class Naive : Strategy;
