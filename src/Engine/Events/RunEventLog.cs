using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ContinualLearning.Engine.Events;

/// <summary>
/// A run's ordered event history, shared by all consumers. The trainer only appends (a lock and a list add);
/// each consumer pulls from its own position at its own pace, so a slow watcher never slows training,
/// and a late one still gets everything from seq 1.
/// </summary>
public sealed class RunEventLog(string runId)
{
    readonly List<RunEvent> events = [];
    readonly Lock gate = new();
    TaskCompletionSource appended = NewSignal();
    readonly TaskCompletionSource ended = NewSignal();

    public string RunId { get; } = runId;
    public bool IsComplete { get; private set; }

    public int Count { get { lock (gate) return events.Count; } }

    /// <summary>
    /// Adds an event, giving it the next seq. The log completes after a terminal event. An event carrying NaN or ±∞ is
    /// refused (NonFiniteEventException) and never stored: no consumer ever sees a non-finite number.
    /// </summary>
    public RunEvent Append(RunEvent draft)
    {
        if (NonFiniteNumbers.FirstIn(draft) is { } field) throw new NonFiniteEventException(draft.Kind, field);
        TaskCompletionSource signal;
        RunEvent stamped;
        lock (gate)
        {
            if (IsComplete) throw new InvalidOperationException($"Run {RunId} already ended; no more events.");
            stamped = draft with { RunId = RunId, Seq = events.Count + 1, Time = draft.Time == default ? DateTimeOffset.UtcNow : draft.Time };
            events.Add(stamped);
            IsComplete = stamped.IsTerminal;
            signal = appended;
            appended = NewSignal();
        }
        signal.TrySetResult();
        if (stamped.IsTerminal) ended.TrySetResult();
        return stamped;
    }

    public IReadOnlyList<RunEvent> Snapshot()
    {
        lock (gate) return events.ToArray();
    }

    /// <summary>Events from seq onwards as they arrive, in chunks of whatever has accumulated (coalesced), until the run ends.</summary>
    public async IAsyncEnumerable<IReadOnlyList<RunEvent>> ReadChunksAsync(long fromSeq = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        long next = Math.Max(1, fromSeq);
        while (true)
        {
            RunEvent[] chunk;
            Task wait;
            bool complete;
            lock (gate)
            {
                int start = (int)Math.Min(next - 1, events.Count);
                chunk = events.GetRange(start, events.Count - start).ToArray();
                complete = IsComplete;
                wait = appended.Task;
            }
            if (chunk.Length > 0)
            {
                next = chunk[^1].Seq + 1;
                yield return chunk;
            }
            if (complete) yield break;
            if (chunk.Length == 0) await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Events from seq onwards in coalesced chunks, at most one chunk per <paramref name="minInterval"/> (measured from
    /// the start of one chunk to the next, so the consumer's own work on a chunk counts): what arrives meanwhile goes
    /// into the next chunk. The end of the run is delivered at once, without waiting out the interval. This is how
    /// every live consumer (hub, pages, recorder) reads a run: one wake-up per interval however fast training goes.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<RunEvent>> FollowAsync(long fromSeq, TimeSpan minInterval, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var chunk in ReadChunksAsync(fromSeq, ct).ConfigureAwait(false))
        {
            long chunkStart = Stopwatch.GetTimestamp();
            yield return chunk;
            var wait = minInterval - Stopwatch.GetElapsedTime(chunkStart);
            if (wait > TimeSpan.Zero && !IsComplete)
            {
                await Task.WhenAny(Task.Delay(wait, ct), ended.Task).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Every event from seq onwards, one by one, until the run ends.</summary>
    public async IAsyncEnumerable<RunEvent> ReadAllAsync(long fromSeq = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var chunk in ReadChunksAsync(fromSeq, ct).ConfigureAwait(false))
            foreach (var e in chunk) yield return e;
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
