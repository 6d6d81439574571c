using System.Collections.Concurrent;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ContinualLearning.Runs;

/// <summary>How the recording of a run goes, as the silo that trains it tells the web nodes.</summary>
/// <param name="Saved">The whole run, end included, is stored.</param>
/// <param name="Deleted">The run was deleted from the store while it trained.</param>
/// <param name="Error">Why its events or end could not be stored (one sentence for users), or null.</param>
[GenerateSerializer, Immutable]
public sealed record RecordingState([property: Id(0)] bool Saved, [property: Id(1)] bool Deleted, [property: Id(2)] string? Error);

/// <summary>
/// Records the runs this silo trains, from their own event logs, in the run store (PostgreSQL in a cluster, the SQLite
/// file of the one-process default): a run is recorded where it trains, once, so a web node that dies loses none of
/// it. Each recording is isolated (<see cref="RunRecording"/>): a failing database never reaches the run, and the
/// unsaved rest is stored when the database can be written again.
/// </summary>
public sealed class RunRecordings(IRunStore store, ILogger<RunRecordings> logger) : IDisposable
{
    readonly ConcurrentDictionary<string, RunRecording> recordings = new();
    readonly CancellationTokenSource stopping = new();

    /// <summary>Starts recording a run already stored as queued (the web node stored it before queueing it).</summary>
    public void Follow(TrainingRun run)
    {
        var recording = store.Follow(run, stop: stopping.Token);
        recordings[run.Id] = recording;
        recording.ErrorChanged += r =>
        {
            if (r.Error is null) logger.LogInformation("Run {Id} is being saved again", r.RunId);
            else logger.LogError(r.LastFailure, "Run {Id}: writing to the run database {Location} failed ({Failures} so far); the run goes on",
                r.RunId, store.Location, r.FailedWrites);
        };
        recording.Completion.ContinueWith(_ => Ended(recording), TaskScheduler.Default);
    }

    void Ended(RunRecording recording)
    {
        if (recording.Saved || recording.Deleted) recordings.TryRemove(recording.RunId, out _);
        else if (!stopping.IsCancellationRequested)
            logger.LogError("Run {Id} ended but its end could not be saved after {Attempts} attempts; it is saved when the run database {Location} " +
                "can be written again", recording.RunId, recording.RetryDelays.Count + 1, store.Location);
    }

    /// <summary>The recording of a run this silo records, or null when it records no such run (any more: stored ones are forgotten).</summary>
    public RecordingState? State(string runId) =>
        recordings.TryGetValue(runId, out var r) ? new RecordingState(r.Saved, r.Deleted, r.Error) : null;

    /// <summary>The database took a write again: store what could not be stored, now.</summary>
    public void RetryUnsaved()
    {
        foreach (var recording in recordings.Values.Where(r => r.Error is not null))
        {
            if (!recording.Completion.IsCompleted) recording.Nudge();
            else if (recording.TrySaveRest())
            {
                logger.LogInformation("Run {Id}: its end is stored now", recording.RunId);
                Ended(recording);
            }
        }
    }

    /// <summary>Lets the last batches land (runs end as cancelled when the silo stops), then gives up on the rest.</summary>
    public void Dispose()
    {
        var pending = recordings.Values.Select(r => r.Completion).ToArray();
        if (!Task.WaitAll(pending, TimeSpan.FromSeconds(5)))
            logger.LogWarning("Stopping with runs not saved; they will show as interrupted");
        stopping.Cancel();
    }
}
