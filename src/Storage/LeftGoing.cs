namespace ContinualLearning.Storage;

/// <summary>What opening a run store does with the runs a stopped process left queued or running.</summary>
public enum LeftGoing
{
    /// <summary>Both become interrupted: nothing in this process will run them (the CLI).</summary>
    Interrupt,
    /// <summary>
    /// Running ones become interrupted (they trained in the process that stopped); queued ones stay queued, for this
    /// process's queue to queue again (a single server).
    /// </summary>
    InterruptRunning,
    /// <summary>Nothing changes: a cluster's queue grain owns the queued runs and workers train the running ones.</summary>
    Keep,
}
