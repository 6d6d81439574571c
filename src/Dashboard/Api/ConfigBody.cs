using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// A run config as the REST API receives it: raw JSON, so that "preset" can be applied first and the fields the client
/// actually sent override it (the engine's Presets.FromJson). Errors name the field, like validation errors.
/// </summary>
public static class ConfigBody
{
    /// <summary>The config in <paramref name="json"/> (null or absent = the seed), or the errors by field.</summary>
    public static RunConfig? Read(JsonNode? json, out IReadOnlyList<ConfigError> errors)
    {
        errors = [];
        if (json is null) return new RunConfig();
        if (json is not JsonObject obj)
        {
            errors = [new("config", "must be a JSON object")];
            return null;
        }
        var preset = obj.FirstOrDefault(p => string.Equals(p.Key, "preset", StringComparison.OrdinalIgnoreCase)).Value;
        if (preset is not null && (preset.GetValueKind() != JsonValueKind.String || !Presets.Names.Contains(preset.GetValue<string>())))
        {
            errors = [new("preset", $"'{preset.ToJsonString()}' is not a preset; must be one of {string.Join(", ", Presets.Names)}")];
            return null;
        }
        try
        {
            return Presets.FromJson(obj.ToJsonString());
        }
        catch (JsonException e)
        {
            var field = e.Path is ['$', '.', .. var name] && name.Length > 0 ? name : "config";
            errors = [new(field, $"is not a valid value: {e.Message.Split(" Path:")[0]}")];
            return null;
        }
    }
}
