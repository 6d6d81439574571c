using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Engine.Config;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// A run config as the REST API and the hub receive it: raw JSON, so that "preset" can be applied first and the fields
/// the client actually sent override it (the engine's Presets.FromJson). Errors name the field, like validation errors.
/// </summary>
public static class ConfigBody
{
    /// <summary>The config in <paramref name="json"/> (null or absent = the seed), or the errors by field.</summary>
    /// <param name="field">What the whole value is called when it is not an object ("config", or "body" for REST).</param>
    public static RunConfig? Read(JsonElement? json, out IReadOnlyList<ConfigError> errors, string field = "config")
    {
        errors = [];
        if (json is not { } element || element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return new RunConfig();
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors = [new(field, "must be a JSON object of run config fields")];
            return null;
        }
        if (FirstDuplicate(element) is { } duplicate)
        {
            errors = [new(duplicate, "is given more than once")];
            return null;
        }
        var obj = JsonNode.Parse(element.GetRawText())!.AsObject();
        var preset = obj.FirstOrDefault(p => string.Equals(p.Key, "preset", StringComparison.OrdinalIgnoreCase)).Value;
        if (preset is not null && (preset.GetValueKind() != JsonValueKind.String || !Presets.Names.Contains(preset.GetValue<string>())))
        {
            errors = [new("preset", $"'{ConfigErrors.Cut(preset.ToJsonString(), 40)}' is not a preset; must be one of {string.Join(", ", Presets.Names)}")];
            return null;
        }
        try
        {
            return Presets.FromJson(obj.ToJsonString());
        }
        catch (JsonException e)
        {
            errors = [BadJson.ErrorOf(e, field)];
            return null;
        }
    }

    /// <summary>
    /// The top-level field under which a key appears twice (case-insensitively, as the deserializer matches fields), at
    /// any depth: {"batchSize":64,"batchSize":-5} must not quietly become one of the two.
    /// </summary>
    public static string? FirstDuplicate(JsonElement obj)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in obj.EnumerateObject())
        {
            if (!seen.Add(property.Name)) return property.Name;
            if (HasDuplicateInside(property.Value)) return property.Name;
        }
        return null;
    }

    static bool HasDuplicateInside(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => FirstDuplicate(value) is not null,
        JsonValueKind.Array => value.EnumerateArray().Any(HasDuplicateInside),
        _ => false,
    };
}
