using Microsoft.Extensions.Options;

namespace ContinualLearning.Runs;

/// <summary>
/// The training slots of this worker silo (ContinualLearning:Concurrency; one per core by default). A run grain holds a
/// slot while it trains; a run placed here while all slots are busy waits for one on its own thread. The web nodes read
/// <see cref="Assigned"/> (through <see cref="IWorkerGrain"/>) to place each run on the worker with the most free slots.
/// </summary>
public sealed class WorkerSlots(IOptions<DashboardOptions> options)
{
    readonly SemaphoreSlim free = new(Math.Max(1, options.Value.ResolvedConcurrency()));
    int assigned;

    public int Slots { get; } = Math.Max(1, options.Value.ResolvedConcurrency());
    /// <summary>Runs placed here that have not ended: training, or waiting for a slot.</summary>
    public int Assigned => Volatile.Read(ref assigned);

    /// <summary>Counts a run placed here (before its thread starts, so the next placement already sees it).</summary>
    public void Assign() => Interlocked.Increment(ref assigned);

    /// <summary>Blocks the run's own thread until a slot is free; dispose the result when the run ends.</summary>
    public IDisposable Take(CancellationToken cancel)
    {
        free.Wait(cancel);
        return new Slot(this);
    }

    /// <summary>Uncounts a run that ended (whether or not it ever took a slot).</summary>
    public void Unassign()
    {
        Interlocked.Decrement(ref assigned);
        Freed?.Invoke();
    }

    /// <summary>Raised when a run placed here has ended (the cluster's queue may start another here).</summary>
    public event Action? Freed;

    sealed class Slot(WorkerSlots owner) : IDisposable
    {
        int released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) owner.free.Release();
        }
    }
}
