using Orleans.Concurrency;
using Orleans.Runtime;

namespace ContinualLearning.Runs;

/// <summary>A worker silo's load: its slots and the runs placed on it that have not ended.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerLoad([property: Id(0)] int Slots, [property: Id(1)] int Assigned)
{
    /// <summary>Busy share of the slots: the emptiest worker gets the next run.</summary>
    public double Busy => (double)Assigned / Math.Max(1, Slots);
}

/// <summary>
/// One per worker silo, keyed by that silo's address and placed there with a placement hint: how web nodes learn each
/// worker's free slots. Web-only silos do not host it (nor run grains).
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>This silo's load, or null when the activation is not on the silo its key names (that silo is gone or hosts no runs).</summary>
    Task<WorkerLoad?> Load();
}

[Reentrant]
public sealed class WorkerGrain(WorkerSlots slots, ILocalSiloDetails silo) : Grain, IWorkerGrain
{
    public Task<WorkerLoad?> Load()
    {
        if (this.GetPrimaryKeyString() == silo.SiloAddress.ToParsableString()) return Task.FromResult<WorkerLoad?>(new(slots.Slots, slots.Assigned));
        DeactivateOnIdle(); // placed elsewhere because its silo is gone: nothing to report
        return Task.FromResult<WorkerLoad?>(null);
    }
}
