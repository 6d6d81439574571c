using ContinualLearning.Engine.Config;

namespace ContinualLearning.Storage;

/// <summary>
/// A class experiment: the config an instructor fixed, the one parameter the students choose (<see cref="Param"/>, a
/// sweepable config or strategy parameter) and the range they choose it from. Closed experiments take no new runs.
/// </summary>
public sealed record StoredExperiment(
    string Id, string? Name, string Owner, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt,
    RunConfig Config, string Param, double Min, double Max, double Step)
{
    public bool IsOpen => ClosedAt is null;
}

/// <summary>A run that joined a class experiment, with the value its student chose.</summary>
public sealed record ExperimentRun(string RunId, double Value, DateTimeOffset JoinedAt);
