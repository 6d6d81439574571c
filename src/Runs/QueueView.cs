namespace ContinualLearning.Runs;

/// <summary>A run submitted to the cluster's queue: what its run grain needs to start it, and about how long it will train.</summary>
[GenerateSerializer, Immutable]
public sealed record QueuedRun([property: Id(0)] string Id, [property: Id(1)] RunStart Start, [property: Id(2)] double EstimateSeconds);

/// <summary>A waiting run as the web nodes see it: whose it is and about how long it will train.</summary>
[GenerateSerializer, Immutable]
public sealed record WaitingRun([property: Id(0)] string Id, [property: Id(1)] string Owner, [property: Id(2)] double EstimateSeconds);

/// <summary>A run the queue started on a worker that has not ended yet (as far as the queue knows).</summary>
[GenerateSerializer, Immutable]
public sealed record StartedRun([property: Id(0)] string Id, [property: Id(1)] DateTimeOffset StartedAt, [property: Id(2)] double EstimateSeconds);

/// <summary>
/// The cluster's queue as the queue grain last had it: the waiting runs in the order they will start (fair order),
/// the runs it started that have not ended, the workers' slots and how fast runs go relative to their estimates.
/// <paramref name="Epoch"/> changes when the grain is activated afresh (rebuilt from the store); <paramref name="Version"/>
/// counts its changes since.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueueView(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] WaitingRun[] Waiting,
    [property: Id(3)] StartedRun[] Started,
    [property: Id(4)] int Slots,
    [property: Id(5)] double SpeedFactor)
{
    public static readonly QueueView Empty = new(Guid.Empty, 0, [], [], 0, 1);
}

/// <summary>How long until a waiting run starts, played forward over the workers (one rule for every queue).</summary>
public static class QueuePlay
{
    /// <summary>
    /// Each of <paramref name="workers"/> is free once its running run's remaining time is up (the shortest
    /// <paramref name="runningRemaining"/> first), and each run ahead (<paramref name="ahead"/>: their training times, in
    /// start order) goes to the worker that is free first; the wait is when a worker is free after them all.
    /// </summary>
    public static double Wait(IEnumerable<double> runningRemaining, IEnumerable<double> ahead, int workers)
    {
        workers = Math.Max(1, workers);
        var busy = runningRemaining.Order().Take(workers).ToList();
        var free = new PriorityQueue<int, double>();
        for (int w = 0; w < workers; w++) free.Enqueue(w, w < busy.Count ? busy[w] : 0);
        foreach (var seconds in ahead)
        {
            free.TryDequeue(out var worker, out var at);
            free.Enqueue(worker, at + seconds);
        }
        free.TryPeek(out _, out var wait);
        return wait;
    }
}
