using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ContinualLearning.Runs;

/// <summary>
/// Where a run goes: each active silo's worker grain says its slots and the runs placed on it (web-only silos host
/// none and do not answer), and the run goes to the worker with the smallest busy share of its slots, so runs spread
/// evenly over the workers.
/// </summary>
public static class WorkerPlacement
{
    /// <summary>The load of every active worker silo that answers within 10 s.</summary>
    public static async Task<(SiloAddress Silo, WorkerLoad Load)[]> Loads(IGrainFactory grains, IClusterMembershipService membership, ILogger logger)
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
        var loads = await Task.WhenAll(silos.Select(s => LoadOf(grains, s, logger)));
        return [.. loads.Where(l => l.Load is not null).Select(l => (l.Silo, l.Load!))];
    }

    /// <summary>The worker with the smallest busy share (ties: the most free slots); with <paramref name="freeSlotOnly"/>, only one with a free slot.</summary>
    public static SiloAddress? Emptiest(IEnumerable<(SiloAddress Silo, WorkerLoad Load)> loads, bool freeSlotOnly) =>
        loads.Where(l => !freeSlotOnly || l.Load.Assigned < l.Load.Slots)
            .OrderBy(l => l.Load.Busy).ThenByDescending(l => l.Load.Slots - l.Load.Assigned).Select(l => l.Silo).FirstOrDefault();

    static async Task<(SiloAddress Silo, WorkerLoad? Load)> LoadOf(IGrainFactory grains, SiloAddress silo, ILogger logger)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try { return (silo, await grains.GetGrain<IWorkerGrain>(silo.ToParsableString()).Load().WaitAsync(TimeSpan.FromSeconds(10))); }
        catch (Exception e)
        {
            logger.LogDebug(e, "Worker {Silo} did not say its load", silo);
            return (silo, null);
        }
        finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
    }
}
