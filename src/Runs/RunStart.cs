using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Runs;

/// <summary>
/// What a run grain needs to train a run, as it crosses the grain boundary: the config as EngineJson (the Engine stays
/// free of Orleans types), who owns it, and the budget the edge admitted it under (the host validates again with it).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunStart(
    [property: Id(0)] string ConfigJson,
    [property: Id(1)] string Owner,
    [property: Id(2)] double ModelStateMB,
    [property: Id(3)] double ComputeMinutes,
    [property: Id(4)] long Events)
{
    public static RunStart For(TrainingRun run, RunBudget budget) => For(run.Config, run.Owner, budget);

    public static RunStart For(RunConfig config, string owner, RunBudget budget) =>
        new(JsonSerializer.Serialize(config, EngineJson.Options), owner, budget.ModelStateMB, budget.ComputeMinutes, budget.Events);

    public RunConfig Config() => JsonSerializer.Deserialize<RunConfig>(ConfigJson, EngineJson.Options)
        ?? throw new InvalidOperationException("A run start carried no config.");

    public RunBudget Budget() => new(ModelStateMB, ComputeMinutes, Events);
}
