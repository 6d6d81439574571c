using System.Text.Json;
using ContinualLearning.Dashboard.Hubs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>WatchBatches' messages: the events available at once go together, in order, each its shared payload.</summary>
public class EventBatchTests
{
    static readonly JsonSerializerOptions Options = EngineJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    static EventPayload Step(long seq) => EventPayload.Of(
        new RunEvent { RunId = "abcdef123456", Seq = seq, Kind = RunEventKind.Step, Time = DateTimeOffset.UnixEpoch, Step = seq, Loss = 0.5 }, Options);

    /// <summary>Groups of events: within a group each is available at once; between groups the source must be awaited.</summary>
    static async IAsyncEnumerable<EventPayload> Source(IEnumerable<int> groupSizes)
    {
        long seq = 0;
        foreach (var size in groupSizes)
        {
            await Task.Delay(1); // a timer: never complete when asked, as a live run's next chunk or a paced step
            for (int i = 0; i < size; i++) yield return Step(++seq);
        }
    }

    static long[] Seqs(EventBatch batch) =>
        JsonDocument.Parse(JsonSerializer.Serialize(batch, Options)).RootElement.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToArray();

    [Fact]
    public async Task Events_available_together_leave_as_one_message_and_a_wait_starts_the_next()
    {
        var batches = new List<long[]>();
        await foreach (var b in EventBatch.Of(Source([3, 1, 5]))) batches.Add(Seqs(b));

        Assert.Equal([[1, 2, 3], [4], [5, 6, 7, 8, 9]], batches);
    }

    [Fact]
    public async Task A_long_history_is_split_at_the_batch_limit_without_losing_or_repeating_an_event()
    {
        int total = EventBatch.MaxEvents * 2 + 7;
        var batches = new List<long[]>();
        await foreach (var b in EventBatch.Of(Source([total]))) batches.Add(Seqs(b));

        Assert.Equal([EventBatch.MaxEvents, EventBatch.MaxEvents, 7], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), batches.SelectMany(b => b));
    }

    [Fact]
    public async Task A_batch_is_a_json_array_of_the_events_own_json()
    {
        await foreach (var b in EventBatch.Of(Source([2])))
        {
            var json = JsonSerializer.Serialize(b, Options);
            Assert.Equal($"[{JsonSerializer.Serialize(Step(1), Options)},{JsonSerializer.Serialize(Step(2), Options)}]", json);
            var read = JsonSerializer.Deserialize<RunEvent[]>(json, Options)!;
            Assert.Equal([1L, 2L], read.Select(e => e.Seq));
        }
    }

    [Fact]
    public async Task A_watcher_that_leaves_while_the_next_event_is_awaited_ends_cleanly()
    {
        using var leave = new CancellationTokenSource();
        var batches = EventBatch.Of(Waiting(leave.Token), leave.Token).GetAsyncEnumerator();
        Assert.True(await batches.MoveNextAsync()); // the first event; the source now waits for ever
        leave.Cancel();
        await batches.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));

        static async IAsyncEnumerable<EventPayload> Waiting([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return Step(1);
            await Task.Delay(Timeout.Infinite, ct);
        }
    }
}
