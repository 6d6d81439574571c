using System.Diagnostics;
using System.Runtime.CompilerServices;
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

    /// <summary>Live events leave at most this often per watcher, in one burst each; history goes at once.</summary>
    public static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(20);

    // Not an iterator itself, so an unknown id fails the call with the HubException's message.
    // Runs from before a restart are served from the run database (their whole stored history).
    public IAsyncEnumerable<RunEvent> Watch(string runId, CancellationToken cancellationToken) =>
        registry.Find(runId) is { } run ? Coalesced(run.Events, cancellationToken)
        : history.StoredEvents(runId, cancellationToken) ?? throw new HubException($"There is no run with id '{runId}'.");

    /// <summary>
    /// Every event of the log in order, sent in bursts: at full speed a run appends thousands of events a second, and
    /// waking each watcher per event would take the CPU the training needs. A burst costs one wake-up and one socket
    /// write per watcher; events still leave within SendInterval of being produced.
    /// </summary>
    static async IAsyncEnumerable<RunEvent> Coalesced(RunEventLog log, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await foreach (var chunk in log.ReadChunksAsync(1, cancellationToken))
        {
            var burstStart = clock.Elapsed;
            foreach (var e in chunk) yield return e;
            var wait = SendInterval - (clock.Elapsed - burstStart);
            if (wait > TimeSpan.Zero && !log.IsComplete) await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>Queues a run; returns its id. An invalid config fails with every "field: rule" in the message.</summary>
    public string Start(RunConfig config)
    {
        var submission = queue.Submit(config);
        if (submission.StorageUnavailable is { } storage) throw new HubException(storage);
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
