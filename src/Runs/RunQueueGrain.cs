using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ContinualLearning.Runs;

/// <summary>
/// The cluster's one run queue (key <see cref="RunQueueGrain.Key"/>): the fair order of the runs waiting for a worker,
/// whichever web node submitted them. Web nodes store a run first (queued), then submit it here; cancel, position and
/// wait are asked here too, so every node sees one queue.
/// </summary>
public interface IRunQueueGrain : IGrainWithIntegerKey
{
    /// <summary>Reserves places for runs about to be stored, or says which limit refuses them (nothing reserved then).</summary>
    Task<QueueRefusal?> Reserve(string owner, int count);
    /// <summary>Gives back reserved places (the runs could not be stored).</summary>
    Task Unreserve(string owner, int count);
    /// <summary>Queues runs already stored as queued, into the places reserved for them; returns the queue as it is now.</summary>
    Task<QueueView> Enqueue(string owner, QueuedRun[] runs);
    /// <summary>
    /// Takes a waiting run out of the queue and stores it as cancelled (once: only the call that took it out gets true).
    /// False when it is not waiting (it started: cancel its run grain instead).
    /// </summary>
    Task<bool> Cancel(string runId);
    /// <summary>The queue now, or null when it is still the one the caller has (<paramref name="epoch"/>, <paramref name="version"/>).</summary>
    Task<QueueView?> View(Guid epoch, long version);
    /// <summary>A worker's slot came free: start the next runs.</summary>
    Task SlotFreed();
}

/// <summary>
/// Holds the cluster's <see cref="FairRunQueue{T}"/> (round-robin across owners, FIFO within one, capacity and per-owner
/// quota from this silo's settings) and starts runs on the workers with a free slot (<see cref="WorkerPlacement"/>),
/// spread evenly. Its state is rebuilt from the run store's queued and running rows whenever it is activated, so the
/// silo hosting it may die (Orleans activates it elsewhere) and no queued run is lost. A timer is the safety net: it
/// starts runs a missed "slot freed" left waiting, adopts queued rows no queue holds (a web node that died between
/// storing and submitting), and stores as interrupted a running run whose run grain no longer holds it (its worker died,
/// and the web node that would have stored its end too). Reentrant: state changes happen between awaits, on the grain's
/// single thread. Placed on the silo that first calls it (a web node, which asks it twice a second), so its calls are
/// mostly local.
/// </summary>
[Reentrant, Orleans.Placement.PreferLocalPlacement]
public sealed class RunQueueGrain(IOptions<DashboardOptions> options, DataSetCatalog catalog, IRunStore store,
    IClusterMembershipService membership, ILogger<RunQueueGrain> logger) : Grain, IRunQueueGrain
{
    public const long Key = 0;
    public const string CancelledMessage = "Cancelled before it started.";
    /// <summary>How often the timer starts runs that wait while a worker has a free slot.</summary>
    static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    /// <summary>Every this many ticks the queue is compared with the store (adopt, prune, find lost runs).</summary>
    const int TicksPerCheck = 2;
    /// <summary>A queued row no queue holds is adopted once it is this old (its web node would have submitted it by then).</summary>
    static readonly TimeSpan AdoptAfter = TimeSpan.FromSeconds(20);
    /// <summary>Checks in a row in which a running run's grain did not hold it before its end is stored as interrupted.</summary>
    const int ChecksBeforeLost = 3;
    static readonly TimeSpan RememberLeft = TimeSpan.FromMinutes(10);
    /// <summary>Places reserved and neither filled nor given back by then are freed (their web node died mid-submission).</summary>
    static readonly TimeSpan ReservationLifetime = TimeSpan.FromMinutes(2);

    readonly FairRunQueue<string> waiting = new(options.Value.QueueCapacity, options.Value.OwnerQueueQuota);
    readonly Dictionary<string, (QueuedRun Run, string Owner)> queued = [];
    readonly Dictionary<string, StartedRun> started = [];
    /// <summary>Runs that left the queue here (started or cancelled): a store row still saying queued is not adopted again.</summary>
    readonly Dictionary<string, DateTimeOffset> left = [];
    readonly Dictionary<string, int> notHeld = [];
    /// <summary>Reservations not yet filled or given back, oldest first: when each was made, so a lost one expires.</summary>
    readonly List<(string Owner, int Count, DateTimeOffset At)> reservations = [];
    readonly Guid epoch = Guid.NewGuid();
    readonly RunBudget budget = options.Value.Budget.ToRunBudget();
    long version;
    int slots, ticks;
    double speedFactor = 1;
    bool pumping, pumpAgain;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var going = await Task.Run(store.ListGoing, cancellationToken);
        foreach (var row in going)
        {
            if (row.Status == RunStatus.Queued) Restore(row);
            else started[row.Id] = new StartedRun(row.Id, row.StartedAt ?? DateTimeOffset.UtcNow, EstimateOf(row.Config));
        }
        logger.LogInformation("Run queue active: {Queued} queued and {Running} running run(s) taken from the run store", queued.Count, started.Count);
        this.RegisterGrainTimer(OnTick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Tick) { Interleave = true, KeepAlive = true });
    }

    public Task<QueueRefusal?> Reserve(string owner, int count)
    {
        var refusal = waiting.Reserve(owner, count);
        if (refusal is null) reservations.Add((owner, count, DateTimeOffset.UtcNow));
        return Task.FromResult(refusal);
    }

    public Task Unreserve(string owner, int count)
    {
        waiting.Unreserve(owner, TakeReserved(owner, count));
        return Task.CompletedTask;
    }

    /// <summary>Takes up to <paramref name="count"/> of the owner's reserved places, oldest first; returns how many there were.</summary>
    int TakeReserved(string owner, int count)
    {
        int taken = 0;
        for (int i = 0; i < reservations.Count && taken < count;)
        {
            var r = reservations[i];
            if (r.Owner != owner) { i++; continue; }
            int use = Math.Min(r.Count, count - taken);
            taken += use;
            if (use == r.Count) reservations.RemoveAt(i);
            else { reservations[i] = r with { Count = r.Count - use }; i++; }
        }
        return taken;
    }

    void ExpireReservations(DateTimeOffset now)
    {
        foreach (var r in reservations.Where(r => now - r.At > ReservationLifetime).ToArray())
        {
            reservations.Remove(r);
            waiting.Unreserve(r.Owner, r.Count);
            logger.LogWarning("{Count} place(s) reserved for {Owner} were never filled (a web node stopped mid-submission); freed", r.Count, r.Owner);
        }
    }

    public Task<QueueView> Enqueue(string owner, QueuedRun[] runs)
    {
        foreach (var run in runs)
        {
            bool reserved = TakeReserved(owner, 1) == 1;
            if (queued.ContainsKey(run.Id) || started.ContainsKey(run.Id) || left.ContainsKey(run.Id))
            {
                if (reserved) waiting.Unreserve(owner, 1); // adopted from the store meanwhile: the place is not needed twice
                continue;
            }
            // A reservation expired, or lost with an earlier activation: the run is stored, so it is queued past the limits.
            if (reserved) waiting.AddReserved(owner, [run.Id]);
            else waiting.Restore(owner, run.Id);
            queued[run.Id] = (run, owner);
        }
        Changed();
        _ = Pump();
        return Task.FromResult(ViewNow());
    }

    public async Task<bool> Cancel(string runId)
    {
        if (!queued.Remove(runId, out _)) return false;
        waiting.Remove(runId);
        left[runId] = DateTimeOffset.UtcNow;
        Changed();
        var end = new RunEvent { RunId = runId, Seq = 1, Kind = RunEventKind.Cancelled, Time = DateTimeOffset.UtcNow, Message = CancelledMessage };
        try
        {
            if (await Task.Run(() => store.AppendEvents(runId, [end])) != AppendResult.Stored) logger.LogWarning("Run {Id}: cancelled in the queue, but the store already held an end", runId);
        }
        catch (Exception e)
        {
            // The caller's copy stores it then (it finds no end in the store), with retries while the database is down.
            logger.LogError("Run {Id}: cancelled in the queue, but its end could not be stored ({Error})", runId, e.Message);
        }
        logger.LogInformation("Run {Id} cancelled while queued", runId);
        return true;
    }

    public Task<QueueView?> View(Guid epoch, long version) =>
        Task.FromResult(epoch == this.epoch && version == this.version ? null : ViewNow());

    public Task SlotFreed()
    {
        _ = Pump();
        return Task.CompletedTask;
    }

    QueueView ViewNow() => new(epoch, version,
        [.. waiting.InStartOrder().Select(id => new WaitingRun(id, queued[id].Owner, queued[id].Run.EstimateSeconds))],
        [.. started.Values], slots, speedFactor);

    void Changed() => version++;

    void Restore(RunSummary row)
    {
        if (queued.ContainsKey(row.Id)) return;
        var run = new QueuedRun(row.Id, RunStart.For(row.Config, row.Owner, budget), EstimateOf(row.Config));
        waiting.Restore(row.Owner, row.Id);
        queued[row.Id] = (run, row.Owner);
        Changed();
    }

    double EstimateOf(RunConfig config)
    {
        try { return RunCostEstimate.For(config, catalog.Entry(config.Dataset)).ComputeSeconds; }
        catch (Exception) { return 0; } // a data set this silo does not know: no estimate rather than no queue
    }

    /// <summary>Starts waiting runs, in fair order, while a worker has a free slot. One pump at a time; a call meanwhile makes it go round again.</summary>
    async Task Pump()
    {
        if (pumping) { pumpAgain = true; return; }
        pumping = true;
        try
        {
            do
            {
                pumpAgain = false;
                while (waiting.Count > 0)
                {
                    var loads = await WorkerPlacement.Loads(GrainFactory, membership, logger);
                    int known = loads.Sum(l => l.Load.Slots);
                    if (known != slots && loads.Length > 0) { slots = known; Changed(); }
                    if (WorkerPlacement.Emptiest(loads, freeSlotOnly: true) is not { } worker || !waiting.TryDequeue(out var id)) break;
                    var (run, owner) = queued[id];
                    queued.Remove(id);
                    left[id] = DateTimeOffset.UtcNow;
                    Changed();
                    // Shown as started only once its grain holds it: a web node that sees it started watches the grain at
                    // once, and a watch that reached it before this start would find no run there and end it as lost.
                    if (await StartOn(worker, run))
                    {
                        started[id] = new StartedRun(id, DateTimeOffset.UtcNow, run.EstimateSeconds);
                        Changed();
                        continue;
                    }
                    // Not started (its worker is going away): first in line again, tried on a fresh pick.
                    left.Remove(id);
                    queued[id] = (run, owner);
                    waiting.ReturnToFront(owner, id);
                    Changed();
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            } while (pumpAgain);
        }
        catch (Exception e) { logger.LogError(e, "The run queue could not start runs; it tries again shortly"); }
        finally { pumping = false; }
    }

    async Task<bool> StartOn(SiloAddress worker, QueuedRun run)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, worker);
        try
        {
            await GrainFactory.GetGrain<IRunGrain>(run.Id).Start(run.Start).WaitAsync(TimeSpan.FromSeconds(30));
            logger.LogInformation("Run {Id} started on worker {Worker}", run.Id, worker);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning("Run {Id}: worker {Worker} could not start it ({Error}); it stays first in line", run.Id, worker, e.Message);
            return false;
        }
        finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
    }

    async Task OnTick(CancellationToken cancellationToken)
    {
        await Pump();
        if (++ticks % TicksPerCheck == 0) await Check();
    }

    /// <summary>Compares the queue with the store: prunes ended runs, adopts queued rows no queue holds, finds runs whose worker died.</summary>
    async Task Check()
    {
        IReadOnlyList<RunSummary> going;
        try { going = await Task.Run(store.ListGoing); }
        catch (Exception e)
        {
            logger.LogWarning("The run queue could not read the run store ({Error}); it tries again shortly", e.Message);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var goingIds = going.Select(r => r.Id).ToHashSet();
        var ended = started.Keys.Where(id => !goingIds.Contains(id)).ToArray();
        if (ended.Length > 0) await Calibrate(ended);
        foreach (var id in left.Where(l => now - l.Value > RememberLeft).Select(l => l.Key).ToArray()) left.Remove(id);
        ExpireReservations(now);
        foreach (var id in notHeld.Keys.Where(id => !goingIds.Contains(id)).ToArray()) notHeld.Remove(id);
        foreach (var row in going)
        {
            if (row.Status == RunStatus.Queued && !queued.ContainsKey(row.Id) && !started.ContainsKey(row.Id) && !left.ContainsKey(row.Id) && now - row.CreatedAt > AdoptAfter)
            {
                logger.LogWarning("Run {Id}: stored as queued but in no queue (its web node stopped before submitting it); queued now", row.Id);
                Restore(row);
            }
            else if (row.Status == RunStatus.Running) await CheckHeld(row);
        }
        _ = Pump();
    }

    /// <summary>Forgets started runs that ended, and moves the speed factor towards what finished ones took relative to their estimate.</summary>
    async Task Calibrate(string[] ended)
    {
        IReadOnlyList<RunSummary> rows = [];
        try { rows = await Task.Run(() => store.ListRuns(ended)); }
        catch (Exception e) { logger.LogDebug(e, "Ended runs could not be read for the queue's estimates"); }
        foreach (var row in rows)
        {
            if (row.Status != RunStatus.Finished || row.StartedAt is not { } start || row.EndedAt is not { } end
                || !started.TryGetValue(row.Id, out var run) || run.EstimateSeconds <= 0) continue;
            double ratio = Math.Clamp((end - start).TotalSeconds / run.EstimateSeconds, 0.05, 20);
            speedFactor += 0.2 * (ratio - speedFactor);
        }
        foreach (var id in ended) started.Remove(id);
        Changed();
    }

    /// <summary>
    /// Asks a running run's grain whether it holds the run (an activation that trains it records it). When its worker
    /// died, a fresh activation answers that it holds nothing; after <see cref="ChecksBeforeLost"/> such answers in a row
    /// the run's end is stored as interrupted, after the events already stored, unless an end was stored meanwhile (the
    /// web node that submitted it, if alive, stores it first from its copy). A grain that cannot be reached says nothing.
    /// </summary>
    async Task CheckHeld(RunSummary row)
    {
        RecordingState? state;
        try { state = await GrainFactory.GetGrain<IRunGrain>(row.Id).Recording().WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e)
        {
            logger.LogDebug("Run {Id}: its grain did not answer ({Error})", row.Id, e.Message);
            return;
        }
        if (state is not null) { notHeld.Remove(row.Id); return; }
        int misses = notHeld[row.Id] = notHeld.GetValueOrDefault(row.Id) + 1;
        if (misses < ChecksBeforeLost) return;
        notHeld.Remove(row.Id);
        var end = RunEvent.InterruptedEnd(row.Id, GrainRunHost.LostMessage, row.EventCount + 1, DateTimeOffset.UtcNow);
        try
        {
            if (await Task.Run(() => store.AppendEvents(row.Id, [end])) == AppendResult.Stored)
                logger.LogWarning("Run {Id}: no worker holds it any more (its worker stopped); stored as interrupted after {Count} events", row.Id, row.EventCount);
        }
        catch (Exception e) { logger.LogError("Run {Id}: its interrupted end could not be stored ({Error}); tried again later", row.Id, e.Message); }
    }
}
