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
/// Records runs in the run store (PostgreSQL in a cluster, the SQLite file of the one-process default), each isolated
/// (<see cref="RunRecording"/>): a failing database never reaches the run, and the unsaved rest is stored when the
/// database can be written again. The one place that follows, retries and lets go of recordings: a silo records the
/// runs it trains here (a run is recorded where it trains, once, so a web node that dies loses none of it), and a web
/// node stores the copies of runs that never reached a grain or whose grain was lost with an instance of its own.
/// </summary>
public sealed class RunRecordings(IRunStore store, ILogger<RunRecordings> logger) : IDisposable
{
    readonly ConcurrentDictionary<string, (TrainingRun Run, RunRecording Recording)> recordings = new();
    readonly CancellationTokenSource stopping = new();
    int disposed;

    /// <summary>Raised with the run's id when its recording error appears or clears.</summary>
    public event Action<string>? ErrorChanged;

    /// <summary>Raised when a run is stored whole, its end included (it may leave memory now).</summary>
    public event Action<TrainingRun>? Saved;

    /// <summary>Starts recording a run already stored as queued (the web node stored it before queueing it).</summary>
    public RunRecording Follow(TrainingRun run)
    {
        var recording = store.Follow(run, stop: stopping.Token);
        recordings[run.Id] = (run, recording);
        recording.ErrorChanged += r =>
        {
            if (r.Error is null) logger.LogInformation("Run {Id} is being saved again", r.RunId);
            else logger.LogError(r.LastFailure, "Run {Id}: writing to the run database {Location} failed ({Failures} so far); the run goes on and is kept in memory",
                r.RunId, store.Location, r.FailedWrites);
            ErrorChanged?.Invoke(r.RunId);
        };
        recording.Completion.ContinueWith(_ => Ended(run, recording), TaskScheduler.Default);
        return recording;
    }

    void Ended(TrainingRun run, RunRecording recording)
    {
        if (recording.Saved || recording.Deleted)
        {
            recordings.TryRemove(new KeyValuePair<string, (TrainingRun, RunRecording)>(run.Id, (run, recording)));
            if (recording.Saved) Saved?.Invoke(run);
        }
        else if (!stopping.IsCancellationRequested)
            logger.LogError("Run {Id} ended as {Status} but its end could not be saved after {Attempts} attempts; it stays in memory and is saved " +
                "when the run database {Location} can be written again (if the process stops first, it will show as interrupted)",
                run.Id, run.Status, recording.RetryDelays.Count + 1, store.Location);
    }

    /// <summary>The recording of a run recorded here, or null when there is no such run (any more: stored ones are forgotten).</summary>
    public RecordingState? State(string runId) =>
        recordings.TryGetValue(runId, out var r) ? new RecordingState(r.Recording.Saved, r.Recording.Deleted, r.Recording.Error) : null;

    /// <summary>Why a run recorded here could not be saved (one sentence for users), or null when all is stored or it is not recorded here.</summary>
    public string? Error(string runId) => recordings.TryGetValue(runId, out var r) ? r.Recording.Error : null;

    /// <summary>The runs recorded here whose events or end could not be saved yet, with why.</summary>
    public IReadOnlyList<(TrainingRun Run, string Error)> Unsaved() =>
        recordings.Values.Select(r => (r.Run, r.Recording.Error)).Where(r => r.Error is not null).Select(r => (r.Run, r.Error!)).ToArray();

    /// <summary>The database took a write again: store what could not be stored, now.</summary>
    public void RetryUnsaved()
    {
        foreach (var (run, recording) in recordings.Values.Where(r => r.Recording.Error is not null))
        {
            if (!recording.Completion.IsCompleted) recording.Nudge();
            else if (recording.TrySaveRest())
            {
                logger.LogInformation("Run {Id}: its end is stored now", run.Id);
                Ended(run, recording);
            }
        }
    }

    /// <summary>Lets the last batches land (runs end as cancelled when the silo stops), then gives up on the rest. Once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        var pending = recordings.Values.Select(r => r.Recording.Completion).ToArray();
        if (!Task.WaitAll(pending, TimeSpan.FromSeconds(5)))
            logger.LogWarning("Stopping with runs not saved; they will show as interrupted");
        stopping.Cancel(); // recordings still retrying give up
    }
}
