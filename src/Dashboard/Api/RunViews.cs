using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// A run as the REST API shows it. Pace is the config's: the default pace of the run's viewers (training never waits).
/// While it waits: its place in the order runs will start (fair order across owners) and about how many seconds until it starts.
/// </summary>
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
    string? RecordingError = null,
    double? EstimatedWaitSeconds = null)
{
    public static RunView Of(TrainingRun run, IRunQueue queue)
    {
        var waiting = queue.Estimate(run);
        return new(run.Id, run.Status, waiting?.Position, run.Config.Pace, run.CreatedAt, run.StartedAt, run.EndedAt, run.Config,
            run.Result, run.Error, queue.RecordingError(run), waiting is null ? null : Math.Round(waiting.WaitSeconds, 1));
    }
}

public sealed record RunCreated(string Id);
