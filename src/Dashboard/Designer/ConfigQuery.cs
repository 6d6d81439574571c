using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using Microsoft.AspNetCore.WebUtilities;

namespace ContinualLearning.Dashboard.Designer;

/// <summary>
/// The whole RunConfig in a URL query string (camelCase field names, the JSON ones), so a link reproduces an
/// experiment. Goes through the config's JSON form, so a field added to RunConfig travels without changes here.
/// </summary>
public static class ConfigQuery
{
    public const int MaxValueLength = 2000;

    public static string ToQuery(RunConfig config, IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var json = JsonSerializer.SerializeToNode(config, EngineJson.Options)!.AsObject();
        var pairs = json.Where(p => p.Value is not null)
            .Select(p => new KeyValuePair<string, string?>(p.Key, Text(p.Value!)))
            .Concat(extra ?? []);
        return QueryHelpers.AddQueryString("", pairs);
    }

    /// <summary>Reads a config from a query string; fields absent keep their defaults. Unreadable values are reported by field.</summary>
    public static RunConfig FromQuery(string query, out IReadOnlyList<ConfigError> errors)
    {
        var parsed = QueryHelpers.ParseQuery(query);
        var defaults = JsonSerializer.SerializeToNode(new RunConfig(), EngineJson.Options)!.AsObject();
        var json = new JsonObject();
        var problems = new List<ConfigError>();
        foreach (var (key, template) in defaults.Concat(NullableFields()).Concat(DeclaredFields()))
        {
            if (!parsed.TryGetValue(key, out var values) || string.IsNullOrEmpty(values.ToString())) continue;
            var text = values.ToString();
            // A link is typed or pasted by people: no field of a sensible config is anywhere near this long.
            if (text.Length > MaxValueLength) { problems.Add(new(key, $"is {text.Length} characters long; at most {MaxValueLength}")); continue; }
            var node = Node(template, text);
            if (node is null) problems.Add(new(key, $"'{ConfigErrors.Cut(text, 40)}' is not a valid value"));
            else json[key] = node;
        }
        while (true)
        {
            try
            {
                errors = problems;
                return json.Deserialize<RunConfig>(EngineJson.Options) ?? new RunConfig();
            }
            catch (JsonException e) when (e.Path is ['$', '.', .. var field] && json.ContainsKey(field))
            {
                // e.g. batchSize=1.5: report it and keep the default for that field.
                problems.Add(new(field, $"'{ConfigErrors.Cut(Text(json[field]!), 40)}' is not a valid value"));
                json.Remove(field);
            }
        }
    }

    // Fields that are null by default do not appear in the default config's JSON: give each a template of its kind
    // (number or text), found once from RunConfig's properties so a new optional field travels without changes here.
    static readonly KeyValuePair<string, JsonNode?>[] nullableFields = typeof(RunConfig).GetProperties()
        .Where(p => p.GetValue(new RunConfig()) is null && p.Name != nameof(RunConfig.StrategyParameters))
        .Select(p => new KeyValuePair<string, JsonNode?>(JsonNamingPolicy.CamelCase.ConvertName(p.Name),
            p.PropertyType == typeof(string) ? JsonValue.Create("") : JsonValue.Create(0)))
        .ToArray();

    // Strategy parameters declared without a RunConfig property (kept in RunConfig.StrategyParameters), by their kind.
    static IEnumerable<KeyValuePair<string, JsonNode?>> DeclaredFields() => StrategyRegistry.Parameters
        .Select(p => p.Parameter).Where(p => !StrategyParameterValues.IsProperty(p.Name))
        .Select(p => new KeyValuePair<string, JsonNode?>(p.Name, p.Kind == ParameterKind.Choice ? JsonValue.Create("") : JsonValue.Create(0)));

    static IEnumerable<KeyValuePair<string, JsonNode?>> NullableFields() => nullableFields.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()));

    static string Text(JsonNode node) => node switch
    {
        JsonArray array => string.Join(",", array.Select(n => n!.ToJsonString())),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    static JsonNode? Node(JsonNode? template, string text)
    {
        switch (template)
        {
            case JsonArray:
                var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var numbers = parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (int?)n : null).ToArray();
                return numbers.Any(n => n is null) ? null : new JsonArray(numbers.Select(n => (JsonNode)JsonValue.Create(n!.Value)).ToArray());
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? (d == Math.Floor(d) && Math.Abs(d) < 1e15 ? JsonValue.Create((long)d) : JsonValue.Create(d))
                    : null;
            default:
                return JsonValue.Create(text);
        }
    }
}
