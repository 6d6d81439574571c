using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContinualLearning.Dashboard.Hubs;

/// <summary>
/// Consecutive run events as one hub message: a JSON array of the events, in seq order, each written from its shared
/// payload (serialised once however many watch). One message per batch instead of one per event is what lets a hundred
/// watchers follow a run at full speed: SignalR writes and flushes each stream item on its own.
/// </summary>
[JsonConverter(typeof(ArrayWriter))]
public sealed class EventBatch
{
    /// <summary>The most events in one message (a late watcher's history goes as several).</summary>
    public const int MaxEvents = 256;

    readonly IReadOnlyList<EventPayload> events;

    EventBatch(IReadOnlyList<EventPayload> events) => this.events = events;

    public int Count => events.Count;

    /// <summary>
    /// The source's events grouped as they come: every event already available (a coalesced chunk of a live run, the
    /// events of one paced step, stored history) joins the batch, and the batch leaves when the next event would have to
    /// be waited for (or at <see cref="MaxEvents"/>). Order is the source's; nothing is held back, dropped or repeated.
    /// </summary>
    public static async IAsyncEnumerable<EventBatch> Of(IAsyncEnumerable<EventPayload> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var reader = source.GetAsyncEnumerator(ct);
        ValueTask<bool> next = default;
        bool pending = false;
        try
        {
            var batch = new List<EventPayload>();
            next = reader.MoveNextAsync();
            pending = true;
            while (true)
            {
                pending = false;
                if (!await next.ConfigureAwait(false)) break;
                batch.Add(reader.Current);
                next = reader.MoveNextAsync();
                pending = true;
                if (next.IsCompleted && batch.Count < MaxEvents) continue; // available now: same message
                yield return new EventBatch(batch);
                batch = [];
            }
            if (batch.Count > 0) yield return new EventBatch(batch);
        }
        finally
        {
            // The watcher left while the next event was awaited: that wait ends with the stream's cancellation.
            if (pending)
                try { await next.ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    sealed class ArrayWriter : JsonConverter<EventBatch>
    {
        public override EventBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("An event batch is only ever written; read it as an array of RunEvent.");

        public override void Write(Utf8JsonWriter writer, EventBatch value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var e in value.events) writer.WriteRawValue(e.Json, skipInputValidation: true); // made by JsonSerializer
            writer.WriteEndArray();
        }
    }
}
