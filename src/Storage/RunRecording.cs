using ContinualLearning.Engine.Events;

namespace ContinualLearning.Storage;

/// <summary>
/// Writes one run's events to the store while it goes: whatever accumulated since the last write goes in one
/// transaction, at most every flush interval, so a crash loses at most about that much and writing never
/// holds up training (the trainer only appends to the in-memory log).
/// </summary>
public sealed class RunRecording
{
    public static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromMilliseconds(250);

    /// <param name="runEnded">Completes when the run has appended its last event, so the last batch is written at once.</param>
    internal RunRecording(RunStore store, RunEventLog log, TimeSpan flushInterval, Task runEnded)
    {
        RunId = log.RunId;
        Completion = Task.Run(() => WriteAsync(store, log, flushInterval, runEnded));
    }

    public string RunId { get; }
    /// <summary>Completes when the terminal event is stored; faults if the database cannot be written.</summary>
    public Task Completion { get; }
    /// <summary>Batches (transactions) written so far.</summary>
    public int Batches { get; private set; }
    /// <summary>Time spent writing batches (serialising and committing), off the training thread.</summary>
    public TimeSpan WriteTime { get; private set; }

    async Task WriteAsync(RunStore store, RunEventLog log, TimeSpan flushInterval, Task runEnded)
    {
        await foreach (var chunk in log.ReadChunksAsync().ConfigureAwait(false))
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            bool stored = store.AppendEvents(log.RunId, chunk);
            WriteTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (!stored) return; // the run was deleted while it ran
            Batches++;
            // Let events pile up into the next batch, but write the end of the run as soon as it comes.
            if (!chunk[^1].IsTerminal && flushInterval > TimeSpan.Zero)
                await Task.WhenAny(Task.Delay(flushInterval), runEnded).ConfigureAwait(false);
        }
    }
}
