namespace ContinualLearning.Runs;

/// <summary>Which limit refused a submission.</summary>
[GenerateSerializer]
public enum QueueLimit
{
    /// <summary>The queue as a whole is full (ContinualLearning:QueueCapacity).</summary>
    Capacity,
    /// <summary>The owner already has their quota of waiting runs (ContinualLearning:OwnerQueueQuota).</summary>
    OwnerQuota,
}

/// <summary>
/// Why runs were not queued: the limit, its size, how many were waiting (for the owner, or in all) and how many more the
/// submission asked for. <see cref="Message"/> is the sentence the edges answer with (429).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueueRefusal([property: Id(0)] QueueLimit Limit, [property: Id(1)] int Maximum, [property: Id(2)] int Waiting, [property: Id(3)] int Requested)
{
    public string Message => Limit switch
    {
        QueueLimit.OwnerQuota => $"You already have {Runs(Waiting)} waiting and may have at most {Maximum} waiting at once"
            + (Requested > 1 ? $" (this needs {Requested} places)" : "") + "; try again when some have started.",
        _ => $"The run queue is full: {Runs(Waiting)} waiting, at most {Maximum}"
            + (Requested > 1 ? $" (this needs {Requested} places)" : "") + "; try again when some have started.",
    };

    static string Runs(int n) => n == 1 ? "1 run" : $"{n} runs";
}

/// <summary>
/// Waiting work, served round-robin across owners and first-in-first-out within an owner: each dequeue takes the next
/// owner in turn, so one owner's sweep of 30 runs does not hold back everybody else. A new owner joins the end of the
/// turn order. Bounded in all (<paramref name="capacity"/>) and per owner (<paramref name="ownerQuota"/>), and places
/// can be reserved before the items exist (a run is stored before it is queued). Knows nothing of runs, threads or
/// hosts, so it can move to a distributed host unchanged. Not thread-safe: the caller holds one lock around it.
/// </summary>
public sealed class FairRunQueue<T>(int capacity, int ownerQuota) where T : notnull
{
    sealed class Lane(string owner)
    {
        public string Owner { get; } = owner;
        public LinkedList<T> Items { get; } = new();
        public int Reserved;
        public int Waiting => Items.Count + Reserved;
    }

    readonly LinkedList<Lane> turns = new(); // owners with waiting items, the next to be served first
    readonly Dictionary<string, Lane> lanes = [];
    readonly Dictionary<T, LinkedListNode<T>> nodes = [];
    readonly Dictionary<T, Lane> laneOf = [];
    int reserved;

    public int Capacity { get; } = Math.Max(1, capacity);
    public int OwnerQuota { get; } = Math.Max(1, ownerQuota);
    /// <summary>The most one submission can ever ask for: more would be refused for ever.</summary>
    public int MaxGroup => Math.Min(Capacity, OwnerQuota);
    /// <summary>Items waiting (not counting reserved places).</summary>
    public int Count => nodes.Count;
    public int WaitingOf(string owner) => lanes.TryGetValue(owner, out var lane) ? lane.Waiting : 0;
    public bool Contains(T item) => nodes.ContainsKey(item);

    /// <summary>Reserves <paramref name="count"/> places for the owner, or says which limit refuses them (then nothing changed).</summary>
    public QueueRefusal? Reserve(string owner, int count)
    {
        int ownerWaiting = WaitingOf(owner);
        if (ownerWaiting + count > OwnerQuota) return new(QueueLimit.OwnerQuota, OwnerQuota, ownerWaiting, count);
        if (Count + reserved + count > Capacity) return new(QueueLimit.Capacity, Capacity, Count + reserved, count);
        LaneFor(owner).Reserved += count;
        reserved += count;
        return null;
    }

    /// <summary>Gives back reserved places that will not be used (the submission failed after reserving).</summary>
    public void Unreserve(string owner, int count)
    {
        if (!lanes.TryGetValue(owner, out var lane)) return;
        count = Math.Min(count, lane.Reserved);
        lane.Reserved -= count;
        reserved -= count;
        DropIfIdle(lane);
    }

    /// <summary>Queues items into places reserved for the owner, in order (FIFO within the owner).</summary>
    public void AddReserved(string owner, IEnumerable<T> items)
    {
        if (!lanes.TryGetValue(owner, out var lane)) throw new InvalidOperationException($"No place was reserved for owner '{owner}'.");
        foreach (var item in items)
        {
            if (lane.Reserved == 0) throw new InvalidOperationException($"No place was reserved for owner '{owner}'.");
            lane.Reserved--;
            reserved--;
            nodes.Add(item, lane.Items.AddLast(item));
            laneOf.Add(item, lane);
        }
        if (lane.Items.Count > 0 && !turns.Contains(lane)) turns.AddLast(lane);
    }

    /// <summary>
    /// Queues an item past the limits, without a reservation, at the end of its owner's lane: a run already stored as
    /// queued that must not be lost (the queue rebuilt from the store, or a submission whose reservation a restart lost).
    /// </summary>
    public void Restore(string owner, T item)
    {
        var lane = LaneFor(owner);
        nodes.Add(item, lane.Items.AddLast(item));
        laneOf.Add(item, lane);
        if (!turns.Contains(lane)) turns.AddLast(lane);
    }

    /// <summary>Puts a dequeued item back first in line (it could not be started); its owner's turn comes first again.</summary>
    public void ReturnToFront(string owner, T item)
    {
        var lane = LaneFor(owner);
        nodes.Add(item, lane.Items.AddFirst(item));
        laneOf.Add(item, lane);
        turns.Remove(lane);
        turns.AddFirst(lane);
    }

    /// <summary>Reserves and queues in one go; the refusal when a limit is reached (then nothing was queued).</summary>
    public QueueRefusal? TryAdd(string owner, IReadOnlyList<T> items)
    {
        if (Reserve(owner, items.Count) is { } refusal) return refusal;
        AddReserved(owner, items);
        return null;
    }

    /// <summary>The next item: the first of the owner whose turn it is; that owner then goes to the end of the turn order.</summary>
    public bool TryDequeue(out T item)
    {
        if (turns.First is not { } first) { item = default!; return false; }
        var lane = first.Value;
        item = lane.Items.First!.Value;
        lane.Items.RemoveFirst();
        nodes.Remove(item);
        laneOf.Remove(item);
        turns.RemoveFirst();
        if (lane.Items.Count > 0) turns.AddLast(lane);
        else DropIfIdle(lane);
        return true;
    }

    /// <summary>Takes a waiting item out (it was cancelled). False when it was not waiting.</summary>
    public bool Remove(T item)
    {
        if (!nodes.Remove(item, out var node)) return false;
        laneOf.Remove(item, out var lane);
        lane!.Items.Remove(node);
        if (lane.Items.Count == 0)
        {
            turns.Remove(lane);
            DropIfIdle(lane);
        }
        return true;
    }

    /// <summary>
    /// Every waiting item in the order they will be dequeued if nothing else arrives: round k takes each owner's k-th
    /// item, owners in turn order.
    /// </summary>
    public IReadOnlyList<T> InStartOrder()
    {
        var order = new List<T>(Count);
        var cursors = turns.Select(l => l.Items.First).ToArray();
        for (bool any = true; any;)
        {
            any = false;
            for (int i = 0; i < cursors.Length; i++)
            {
                if (cursors[i] is not { } node) continue;
                order.Add(node.Value);
                cursors[i] = node.Next;
                any = true;
            }
        }
        return order;
    }

    /// <summary>1-based place in the start order (<see cref="InStartOrder"/>), or null when the item is not waiting.</summary>
    public int? Position(T item)
    {
        if (!laneOf.TryGetValue(item, out var own)) return null;
        int k = 0; // items ahead of it in its own lane
        for (var node = nodes[item].Previous; node is not null; node = node.Previous) k++;
        int position = 1;
        bool before = true; // lanes earlier in the turn order also go in round k
        foreach (var lane in turns)
        {
            if (lane == own) { before = false; position += k; continue; }
            position += Math.Min(lane.Items.Count, before ? k + 1 : k);
        }
        return position;
    }

    Lane LaneFor(string owner)
    {
        if (!lanes.TryGetValue(owner, out var lane)) lanes.Add(owner, lane = new Lane(owner));
        return lane;
    }

    void DropIfIdle(Lane lane)
    {
        if (lane.Waiting == 0) lanes.Remove(lane.Owner);
    }
}
