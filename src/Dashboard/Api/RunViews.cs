using ContinualLearning.Dashboard.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Api;

/// <summary>A run as the REST API shows it. Pace is the config's: the default pace of the run's viewers (training never waits).</summary>
public sealed record RunView(
    string Id,
    RunStatus Status,
    int? QueuePosition,
    double Pace,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    RunConfig Config,
    RunResult? Result,
    string? Error,
    string? RecordingError = null)
{
    public static RunView Of(TrainingRun run, RunQueue queue) => new(
        run.Id, run.Status, queue.QueuePosition(run), run.Config.Pace, run.CreatedAt, run.StartedAt, run.EndedAt, run.Config, run.Result, run.Error, queue.RecordingError(run));
}

public sealed record RunCreated(string Id);
