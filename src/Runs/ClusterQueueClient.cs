using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Logging;

namespace ContinualLearning.Runs;

/// <summary>
/// A web node's side of the cluster's one queue (<see cref="IRunQueueGrain"/>): submits to it and cancels in it, keeps
/// the latest copy of its order (<see cref="QueueView"/>, asked for twice a second and after every submission here), so
/// pages read positions and waits without a call, and attaches this node's copies of its submitted runs to their run
/// grains once the queue has started them. The queued runs themselves live in the grain and the store: this node may
/// stop or die and they still start.
/// </summary>
public sealed class ClusterQueueClient(IGrainFactory grains, GrainRunHost host, ILogger<ClusterQueueClient> logger, IRunRecorder? recorder = null)
{
    /// <summary>How long a web request waits for the queue grain (it may be moving to another silo).</summary>
    static readonly TimeSpan CallPatience = TimeSpan.FromSeconds(30);
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    readonly Lock gate = new();
    /// <summary>Copies of runs submitted here that the queue has not started yet (as far as this node knows).</summary>
    readonly Dictionary<string, TrainingRun> pending = [];
    /// <summary>Pending copies whose fate is being read from the store now.</summary>
    readonly HashSet<string> settling = [];
    QueueView view = QueueView.Empty;
    Dictionary<string, int> positions = [];
    HashSet<string> startedIds = [];

    IRunQueueGrain Queue => grains.GetGrain<IRunQueueGrain>(RunQueueGrain.Key);

    /// <summary>Raised when the queue's order or its started runs change.</summary>
    public event Action? Changed;

    public Task<QueueRefusal?> ReserveAsync(string owner, int count) => Queue.Reserve(owner, count).WaitAsync(CallPatience);

    public async Task UnreserveAsync(string owner, int count)
    {
        try { await Queue.Unreserve(owner, count).WaitAsync(CallPatience); }
        catch (Exception e) { logger.LogWarning("Reserved places could not be given back to the run queue ({Error})", e.Message); }
    }

    /// <summary>Submits runs stored as queued (their places reserved); this node's copies wait here until the queue starts them.</summary>
    public async Task EnqueueAsync(string owner, IReadOnlyList<TrainingRun> runs, IReadOnlyList<QueuedRun> entries)
    {
        lock (gate) foreach (var run in runs) pending[run.Id] = run;
        Apply(await Queue.Enqueue(owner, [.. entries]).WaitAsync(CallPatience));
    }

    /// <summary>
    /// Cancels a run while it waits in the queue, from this node whoever submitted it: the queue stores it cancelled (once)
    /// and the copy takes that end. False when it is not waiting (it started, or ended): then cancel its run instead.
    /// </summary>
    public async Task<bool> CancelWaitingAsync(TrainingRun run)
    {
        if (!await Queue.Cancel(run.Id).WaitAsync(CallPatience)) return false;
        lock (gate) pending.Remove(run.Id);
        if (!host.TakeStored(run))
        {
            // The queue could not store the end: the copy ends here and the run history stores it (with retries).
            run.Control.Cancel();
            run.Execute();
        }
        return true;
    }

    public int? Position(string runId) { lock (gate) return positions.TryGetValue(runId, out var p) ? p : null; }

    public QueueView Current { get { lock (gate) return view; } }

    /// <summary>Asks the queue grain for its order until <paramref name="stop"/>; a call that fails is tried again at the next poll.</summary>
    public async Task Follow(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var known = Current;
                if (await Queue.View(known.Epoch, known.Version).WaitAsync(CallPatience, stop) is { } fresh) Apply(fresh);
                else CheckPending();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogDebug("The run queue did not answer ({Error})", e.Message); }
            try { await Task.Delay(Poll, stop); } catch (OperationCanceledException) { return; }
        }
    }

    void Apply(QueueView fresh)
    {
        lock (gate)
        {
            // Calls may answer out of order: an older view of the same activation is ignored.
            if (fresh.Epoch == view.Epoch && fresh.Version <= view.Version) return;
            view = fresh;
            positions = fresh.Waiting.Select((r, i) => (r.Id, Place: i + 1)).ToDictionary(p => p.Id, p => p.Place);
            startedIds = fresh.Started.Select(r => r.Id).ToHashSet();
        }
        CheckPending();
        Changed?.Invoke();
    }

    /// <summary>
    /// Each copy that has left the queue's order is attached to its run grain when the queue started it; otherwise its
    /// fate is read from the store (cancelled from another node, or started and ended between two looks).
    /// </summary>
    void CheckPending()
    {
        List<TrainingRun> toStart = [], toSettle = [];
        lock (gate)
        {
            foreach (var (id, run) in pending)
            {
                if (positions.ContainsKey(id) || settling.Contains(id)) continue;
                if (startedIds.Contains(id)) toStart.Add(run);
                else if (view.Epoch != Guid.Empty) { toSettle.Add(run); settling.Add(id); }
            }
            foreach (var run in toStart) pending.Remove(run.Id);
        }
        foreach (var run in toStart) Attach(run);
        foreach (var run in toSettle) _ = Task.Run(() => Settle(run));
    }

    void Attach(TrainingRun run)
    {
        _ = Task.Run(async () =>
        {
            try { await host.Follow(run); }
            catch (Exception e) { logger.LogError(e, "Run {Id}: following it from here failed", run.Id); run.MirrorInterrupted(GrainRunHost.LostMessage); }
            Changed?.Invoke();
            logger.LogInformation("Run {Id} ended: {Status}", run.Id, run.Status);
        });
        Changed?.Invoke();
    }

    void Settle(TrainingRun run)
    {
        Storage.RunSummary? stored = null;
        bool read = false;
        try { stored = recorder?.StoredSummary(run.Id); read = recorder is not null; }
        catch (Exception e) { logger.LogDebug("Run {Id}: its stored status could not be read ({Error})", run.Id, e.Message); }
        bool attach = false, ended = false;
        lock (gate)
        {
            settling.Remove(run.Id);
            if (!pending.ContainsKey(run.Id) || positions.ContainsKey(run.Id)) return; // handled meanwhile, or queued again
            if (read && stored is null) { pending.Remove(run.Id); return; } // deleted from the history: nothing to follow
            if (stored is { Status: RunStatus.Running }) attach = true;
            else if (stored is { Status: not RunStatus.Queued }) ended = true;
            if (attach || ended) pending.Remove(run.Id);
        }
        if (attach) Attach(run);
        else if (ended && !host.TakeStored(run)) Attach(run); // an end without its events here yet: follow it to the end
        if (ended) Changed?.Invoke();
    }
}
