using ContinualLearning.Dashboard.History;
using ContinualLearning.Dashboard.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.SignalR;

namespace ContinualLearning.Dashboard.Hubs;

/// <summary>
/// The public live API at /hubs/training. Watch streams a run's RunEventLog from seq 1: the very events the
/// dashboard's own pages draw, history first, then live, completing when the run ends.
/// </summary>
public sealed class TrainingHub(IRunRegistry registry, RunQueue queue, RunHistory history) : Hub
{
    public const string Path = "/hubs/training";

    /// <remarks>Runs from before a restart are served from the run database (their whole stored history).</remarks>
    public IAsyncEnumerable<RunEvent> Watch(string runId, CancellationToken cancellationToken) =>
        history.Events(runId, cancellationToken) ?? throw new HubException($"There is no run with id '{runId}'.");

    /// <summary>Queues a run; returns its id. An invalid config fails with every "field: rule" in the message.</summary>
    public string Start(RunConfig config)
    {
        var submission = queue.Submit(config);
        if (submission.QueueFull) throw new HubException($"The run queue is full ({queue.Capacity} waiting); try again later.");
        if (!submission.Accepted) throw new HubException("Invalid run configuration: " + string.Join("; ", submission.Errors));
        return submission.Run!.Id;
    }

    public void Cancel(string runId) => queue.Cancel(Find(runId));
    public void Pause(string runId) => Find(runId).Control.Pause();
    public void Resume(string runId) => Find(runId).Control.Resume();

    public void SetPace(string runId, double pace)
    {
        var error = ConfigValidator.Validate(new RunConfig { Pace = pace }).FirstOrDefault(e => e.Field == "pace");
        if (error is not null) throw new HubException(error.ToString());
        Find(runId).Control.Pace = pace;
    }

    TrainingRun Find(string runId) =>
        registry.Find(runId) ?? throw new HubException($"There is no run with id '{runId}'.");
}
