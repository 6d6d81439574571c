using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContinualLearning.Engine;

/// <summary>The JSON shape shared by the CLI, REST, hub and database: camelCase, enums as camelCase strings.</summary>
public static class EngineJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = false });
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>Applies the engine's conventions to options owned by a host (ASP.NET Core, SignalR).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        // {"batchSize":64,"batchSize":-5} is an error, not whichever value the reader kept.
        options.AllowDuplicateProperties = false;
        return options;
    }
}
