using System.Diagnostics;
using ContinualLearning.Engine.Events;

namespace ContinualLearning.Engine.Tests;

/// <summary>RunEventLog.FollowAsync: the one way live consumers read a run (coalesced chunks, at most one per interval).</summary>
public class FollowEventsTests
{
    static RunEvent Step(long step) => new() { RunId = "r", Kind = RunEventKind.Step, Step = step, Loss = 1 };
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Events_arriving_within_the_interval_come_as_one_chunk_no_sooner_than_the_interval()
    {
        var log = new RunEventLog("r");
        var interval = TimeSpan.FromMilliseconds(300);
        await using var chunks = log.FollowAsync(1, interval).GetAsyncEnumerator();
        log.Append(Step(1));
        Assert.True(await chunks.MoveNextAsync().AsTask().WaitAsync(Timeout));
        var first = Stopwatch.StartNew();
        Assert.Equal([1L], chunks.Current.Select(e => e.Seq));

        var next = chunks.MoveNextAsync().AsTask();
        log.Append(Step(2));
        log.Append(Step(3));
        Assert.True(await next.WaitAsync(Timeout));
        Assert.Equal([2L, 3L], chunks.Current.Select(e => e.Seq));
        Assert.True(first.Elapsed >= interval - TimeSpan.FromMilliseconds(20), $"second chunk after {first.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task The_end_of_the_run_comes_at_once_without_waiting_out_the_interval()
    {
        var log = new RunEventLog("r");
        await using var chunks = log.FollowAsync(1, TimeSpan.FromMinutes(10)).GetAsyncEnumerator();
        log.Append(Step(1));
        Assert.True(await chunks.MoveNextAsync().AsTask().WaitAsync(Timeout));

        var next = chunks.MoveNextAsync().AsTask();
        log.Append(Step(2));
        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Cancelled });
        Assert.True(await next.WaitAsync(Timeout)); // far less than the ten-minute interval
        Assert.Equal([2L, 3L], chunks.Current.Select(e => e.Seq));
        Assert.False(await chunks.MoveNextAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_follower_from_a_later_seq_gets_every_event_after_it_in_order_without_gaps()
    {
        var log = new RunEventLog("r");
        for (int i = 1; i <= 5; i++) log.Append(Step(i));
        var reading = Task.Run(async () =>
        {
            var seqs = new List<long>();
            await foreach (var chunk in log.FollowAsync(3, TimeSpan.FromMilliseconds(5))) seqs.AddRange(chunk.Select(e => e.Seq));
            return seqs;
        });
        for (int i = 6; i <= 200; i++) log.Append(Step(i));
        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Finished });
        Assert.Equal(Enumerable.Range(3, 199).Select(i => (long)i), await reading.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Cancelling_stops_a_follower_that_waits_out_its_interval()
    {
        var log = new RunEventLog("r");
        using var stop = new CancellationTokenSource();
        await using var chunks = log.FollowAsync(1, TimeSpan.FromMinutes(10), stop.Token).GetAsyncEnumerator();
        log.Append(Step(1));
        Assert.True(await chunks.MoveNextAsync().AsTask().WaitAsync(Timeout));
        var next = chunks.MoveNextAsync().AsTask();
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Timeout));
    }
}
