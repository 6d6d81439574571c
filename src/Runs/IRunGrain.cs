namespace ContinualLearning.Runs;

/// <summary>
/// One run, keyed by its id, wherever in the cluster it trains. Its activation trains the run on a thread of its own,
/// owns the run's event log, records it and serves it to any node. Events cross the boundary as EngineJson arrays (chunks), so the
/// Engine knows nothing of Orleans.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Starts training the run (once; a second start is ignored). Returns as soon as its thread is started.</summary>
    Task Start(RunStart start);

    /// <summary>Asks the run to stop (within one batch); it ends with a cancelled event.</summary>
    Task Cancel();

    /// <summary>
    /// How the recording of the run goes on this silo (it records the runs it trains), or null when this silo records
    /// no such run: it never trained here, or its recording is stored and done.
    /// </summary>
    Task<RecordingState?> Recording();

    /// <summary>
    /// The run's events from <paramref name="fromSeq"/>: the whole ordered history so far, then live events as they are
    /// appended, in chunks (JSON arrays of RunEvent), ending after the terminal event. Ends at once, empty, when this
    /// activation does not hold the run (its silo was lost and the grain was activated afresh elsewhere).
    /// </summary>
    IAsyncEnumerable<string> Watch(long fromSeq, CancellationToken cancellationToken = default);
}
