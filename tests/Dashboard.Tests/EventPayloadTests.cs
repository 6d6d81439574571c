using System.Text.Json;
using ContinualLearning.Dashboard.Hubs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>What the hub streams to every watcher: one serialisation per event, shared, identical to the event's JSON.</summary>
public class EventPayloadTests
{
    static readonly JsonSerializerOptions Options = EngineJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    static RunEvent Evaluation(long seq) => new()
    {
        RunId = "abcdef123456", Seq = seq, Kind = RunEventKind.Evaluation, Time = DateTimeOffset.UnixEpoch.AddSeconds(seq), Step = seq * 10,
        Accuracies = [97.5, 12.25], Predictions = [1, 2, 3],
    };

    [Fact]
    public void Every_watcher_of_an_event_shares_one_payload_written_as_the_events_own_json()
    {
        var e = Evaluation(3);
        var payload = EventPayload.Of(e, Options);

        Assert.Same(payload, EventPayload.Of(e, Options)); // the second watcher: no second serialisation
        Assert.NotSame(payload, EventPayload.Of(Evaluation(3), Options)); // an equal but other event has its own
        Assert.Equal(JsonSerializer.Serialize(e, Options), System.Text.Encoding.UTF8.GetString(payload.Json));
        // Inside a message (as SignalR writes a stream item) it is the event itself, and reads back as one.
        var message = JsonSerializer.Serialize(new { type = 2, item = payload }, Options);
        var read = JsonDocument.Parse(message).RootElement.GetProperty("item").Deserialize<RunEvent>(Options)!;
        Assert.Equal((e.Seq, e.Kind, e.Step), (read.Seq, read.Kind, read.Step));
        Assert.Equal(e.Accuracies, read.Accuracies);
    }
}
