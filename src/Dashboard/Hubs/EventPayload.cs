using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ContinualLearning.Engine.Events;

namespace ContinualLearning.Dashboard.Hubs;

/// <summary>
/// A run event as the hub streams it: its JSON, serialised once per event (and per set of serializer options) and
/// written as it is to every watcher, so a hundred watchers cost one serialisation, not a hundred. The wire format is
/// exactly that of the event itself: clients read it as a RunEvent as before.
/// </summary>
[JsonConverter(typeof(RawWriter))]
public sealed class EventPayload
{
    // Keyed on the event objects of the runs' logs, so a payload lives exactly as long as its event.
    static readonly ConditionalWeakTable<JsonSerializerOptions, ConditionalWeakTable<RunEvent, EventPayload>> made = new();

    readonly byte[] json;

    EventPayload(byte[] json) => this.json = json;

    public static EventPayload Of(RunEvent e, JsonSerializerOptions options) =>
        made.GetValue(options, _ => new()).GetValue(e, ev => new EventPayload(JsonSerializer.SerializeToUtf8Bytes(ev, options)));

    /// <summary>The payload's JSON, for tests and diagnostics.</summary>
    public ReadOnlySpan<byte> Json => json;

    sealed class RawWriter : JsonConverter<EventPayload>
    {
        public override EventPayload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("An event payload is only ever written; read the event as a RunEvent.");

        public override void Write(Utf8JsonWriter writer, EventPayload value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.json, skipInputValidation: true); // made by JsonSerializer just above
    }
}
