namespace ContinualLearning.Storage;

/// <summary>What became of a batch of events given to <see cref="IRunStore.AppendEvents"/>.</summary>
public enum AppendResult
{
    /// <summary>Stored (any events already stored were skipped).</summary>
    Stored,
    /// <summary>Nothing changed: the run already has an end (the first end stored wins).</summary>
    AlreadyEnded,
    /// <summary>Nothing changed: the batch's end would not directly follow the events stored (its writer lags the store, or is ahead of it).</summary>
    OutOfStep,
    /// <summary>Nothing changed: the run is not in the store (deleted while it ran, say).</summary>
    UnknownRun,
}
