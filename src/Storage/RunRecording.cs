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

    internal RunRecording(RunStore store, RunEventLog log, TimeSpan flushInterval)
    {
        RunId = log.RunId;
        Completion = Task.Run(() => WriteAsync(store, log, flushInterval));
    }

    public string RunId { get; }
    /// <summary>Completes when the terminal event is stored; faults if the database cannot be written.</summary>
    public Task Completion { get; }
    /// <summary>Batches (transactions) written so far.</summary>
    public int Batches { get; private set; }

    async Task WriteAsync(RunStore store, RunEventLog log, TimeSpan flushInterval)
    {
        await foreach (var chunk in log.ReadChunksAsync().ConfigureAwait(false))
        {
            if (!store.AppendEvents(log.RunId, chunk)) return; // the run was deleted while it ran
            Batches++;
            // Let events pile up into the next batch; the terminal event ends the stream, so the end is never delayed.
            if (!chunk[^1].IsTerminal && flushInterval > TimeSpan.Zero) await Task.Delay(flushInterval).ConfigureAwait(false);
        }
    }
}
