using ContinualLearning.Runs;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The fair queue alone: round-robin across owners, FIFO within one, quota, capacity, cancel, positions.</summary>
public sealed class FairRunQueueTests
{
    static List<string> DrainAll(FairRunQueue<string> queue)
    {
        var order = new List<string>();
        while (queue.TryDequeue(out var item)) order.Add(item);
        return order;
    }

    [Fact]
    public void Owners_take_turns_and_each_owner_is_served_in_arrival_order()
    {
        var queue = new FairRunQueue<string>(capacity: 100, ownerQuota: 50);
        // A's sweep of 30 arrives first; B and C submit one run each afterwards.
        Assert.Null(queue.TryAdd("A", Enumerable.Range(1, 30).Select(i => $"a{i}").ToArray()));
        Assert.Null(queue.TryAdd("B", ["b1"]));
        Assert.Null(queue.TryAdd("C", ["c1", "c2"]));

        var order = DrainAll(queue);

        Assert.Equal(["a1", "b1", "c1", "a2", "c2", "a3", "a4"], order.Take(7));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"a{i}"), order.Where(o => o[0] == 'a')); // FIFO within A
        Assert.Equal(33, order.Count);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Restored_items_queue_past_the_limits_in_their_owners_lane()
    {
        var queue = new FairRunQueue<string>(capacity: 2, ownerQuota: 1);
        Assert.Null(queue.TryAdd("A", ["a1"]));
        // Rebuilt from the store: already stored as queued, so kept even past the quota and the capacity.
        queue.Restore("A", "a2");
        queue.Restore("B", "b1");
        queue.Restore("B", "b2");

        Assert.Equal((4, 2), (queue.Count, queue.WaitingOf("B")));
        Assert.Equal(QueueLimit.Capacity, queue.Reserve("C", 1)?.Limit);
        Assert.Equal(["a1", "b1", "a2", "b2"], DrainAll(queue));
    }

    [Fact]
    public void An_item_returned_to_the_front_starts_next_and_its_owner_keeps_the_turn()
    {
        var queue = new FairRunQueue<string>(100, 50);
        queue.TryAdd("A", ["a1", "a2"]);
        queue.TryAdd("B", ["b1"]);
        Assert.True(queue.TryDequeue(out var taken));
        Assert.Equal("a1", taken);

        queue.ReturnToFront("A", taken); // it could not be started

        Assert.Equal(1, queue.Position("a1"));
        Assert.Equal(["a1", "b1", "a2"], DrainAll(queue));
    }

    [Fact]
    public void An_owner_who_comes_back_joins_the_end_of_the_turn_order()
    {
        var queue = new FairRunQueue<string>(100, 50);
        queue.TryAdd("A", ["a1", "a2", "a3"]);
        queue.TryAdd("B", ["b1"]);
        Assert.True(queue.TryDequeue(out var first));
        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal(("a1", "b1"), (first, second));

        queue.TryAdd("B", ["b2"]); // B had nothing waiting: it queues behind A, whose turn it is

        Assert.Equal(["a2", "b2", "a3"], DrainAll(queue));
    }

    [Fact]
    public void Positions_follow_the_start_order_not_the_arrival_order()
    {
        var queue = new FairRunQueue<string>(100, 50);
        queue.TryAdd("A", ["a1", "a2", "a3"]);
        queue.TryAdd("B", ["b1", "b2"]);
        queue.TryAdd("C", ["c1"]);

        var expected = new[] { "a1", "b1", "c1", "a2", "b2", "a3" };
        Assert.Equal(expected, queue.InStartOrder());
        for (int i = 0; i < expected.Length; i++) Assert.Equal(i + 1, queue.Position(expected[i]));
        Assert.Null(queue.Position("nobody"));

        // After one dequeue (a1), B's turn comes first: every position moves up by one and the order is unchanged.
        queue.TryDequeue(out _);
        Assert.Equal(expected[1..], queue.InStartOrder());
        for (int i = 1; i < expected.Length; i++) Assert.Equal(i, queue.Position(expected[i]));
        Assert.Equal(expected[1..], DrainAll(queue)); // the positions were the real start order
    }

    [Fact]
    public void An_owner_past_the_quota_is_refused_and_others_still_get_in()
    {
        var queue = new FairRunQueue<string>(capacity: 100, ownerQuota: 3);
        Assert.Null(queue.TryAdd("A", ["a1", "a2"]));

        var refusal = queue.TryAdd("A", ["a3", "a4"]); // all or none: 2 + 2 > 3

        Assert.NotNull(refusal);
        Assert.Equal(QueueLimit.OwnerQuota, refusal.Limit);
        Assert.Equal((3, 2, 2), (refusal.Maximum, refusal.Waiting, refusal.Requested));
        Assert.Contains("2 runs waiting", refusal.Message);
        Assert.Contains("at most 3", refusal.Message);
        Assert.Equal(2, queue.WaitingOf("A"));
        Assert.Null(queue.Position("a3"));
        Assert.Null(queue.TryAdd("A", ["a3"])); // exactly at the quota is fine
        Assert.Null(queue.TryAdd("B", ["b1", "b2", "b3"])); // the quota is per owner

        // Once A's runs start, A may queue again.
        Assert.Equal(["a1", "b1", "a2", "b2", "a3", "b3"], DrainAll(queue));
        Assert.Null(queue.TryAdd("A", ["a4", "a5", "a6"]));
    }

    [Fact]
    public void The_whole_queue_is_bounded_across_owners()
    {
        var queue = new FairRunQueue<string>(capacity: 4, ownerQuota: 3);
        Assert.Null(queue.TryAdd("A", ["a1", "a2", "a3"]));
        Assert.Null(queue.TryAdd("B", ["b1"]));

        var refusal = queue.TryAdd("C", ["c1"]);

        Assert.Equal(QueueLimit.Capacity, refusal?.Limit);
        Assert.Equal((4, 4), (refusal!.Maximum, refusal.Waiting));
        Assert.Contains("queue is full", refusal.Message);
        Assert.Equal(3, queue.MaxGroup);
        queue.TryDequeue(out _);
        Assert.Null(queue.TryAdd("C", ["c1"]));
    }

    [Fact]
    public void Reserved_places_count_against_both_limits_until_used_or_given_back()
    {
        var queue = new FairRunQueue<string>(capacity: 5, ownerQuota: 3);
        Assert.Null(queue.Reserve("A", 3));
        Assert.Equal(QueueLimit.OwnerQuota, queue.Reserve("A", 1)?.Limit);
        Assert.Null(queue.Reserve("B", 2));
        Assert.Equal(QueueLimit.Capacity, queue.Reserve("C", 1)?.Limit);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(out _)); // reserved places are not items

        queue.Unreserve("B", 2); // B's submission failed (say, the database refused it)
        queue.AddReserved("A", ["a1", "a2", "a3"]);

        Assert.Equal(3, queue.Count);
        Assert.Null(queue.Reserve("C", 2));
        Assert.Throws<InvalidOperationException>(() => queue.AddReserved("B", ["b1"]));
        Assert.Equal(["a1", "a2", "a3"], DrainAll(queue));
    }

    [Fact]
    public void A_run_cancelled_while_waiting_leaves_the_queue_and_frees_its_place()
    {
        var queue = new FairRunQueue<string>(capacity: 10, ownerQuota: 2);
        queue.TryAdd("A", ["a1", "a2"]);
        queue.TryAdd("B", ["b1"]);
        Assert.Equal(3, queue.Position("a2"));

        Assert.True(queue.Remove("a1"));
        Assert.False(queue.Remove("a1")); // already gone
        Assert.Null(queue.Position("a1"));
        Assert.Equal(1, queue.Position("a2")); // A keeps its turn: its next run moves up
        Assert.Equal(2, queue.Position("b1"));
        Assert.Null(queue.TryAdd("A", ["a3"])); // A's quota has room again
        Assert.Equal(["a2", "b1", "a3"], queue.InStartOrder());

        Assert.True(queue.Remove("b1")); // B's only run: B leaves the turn order
        Assert.Equal(["a2", "a3"], queue.InStartOrder());
        Assert.Equal(["a2", "a3"], DrainAll(queue));
    }
}

/// <summary>How the status bar words a waiting run's place and wait.</summary>
public sealed class QueueWaitTests
{
    [Theory]
    [InlineData(1, "1st"), InlineData(2, "2nd"), InlineData(3, "3rd"), InlineData(4, "4th"), InlineData(11, "11th"),
     InlineData(12, "12th"), InlineData(13, "13th"), InlineData(21, "21st"), InlineData(102, "102nd"), InlineData(111, "111th")]
    public void Places_read_as_ordinals(int position, string expected) => Assert.Equal(expected, QueueWait.Place(position));

    [Theory]
    [InlineData(0, "1 s"), InlineData(4.4, "4 s"), InlineData(89, "89 s"), InlineData(150, "3 min"), InlineData(7200, "2 h")]
    public void Waits_read_in_seconds_minutes_or_hours(double seconds, string expected) => Assert.Equal(expected, QueueWait.Duration(seconds));
}
