using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Runs;

/// <summary>
/// Where a run trains. Given this process's copy of a queued run, trains it and keeps the copy's events and status up
/// to date until it ends; completes when the copy has ended (every run reaches exactly one terminal state). Cancelling
/// the copy's control cancels the run.
/// </summary>
public interface IRunHost
{
    Task Train(TrainingRun run, RunBudget budget);
}

/// <summary>Trains on a dedicated thread of this process, on the copy itself: for queues built without a cluster (tests).</summary>
public sealed class ThreadRunHost : IRunHost
{
    public Task Train(TrainingRun run, RunBudget budget) =>
        Task.Factory.StartNew(run.Execute, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
