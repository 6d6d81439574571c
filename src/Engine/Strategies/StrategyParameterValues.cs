using System.Reflection;
using System.Text.Json;
using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Reads and writes a strategy parameter by its JSON name: the RunConfig property of that name when there is one
/// (the parameters that predate declarations), else the flat extension fields (RunConfig.StrategyParameters), so a
/// new strategy's parameters need no RunConfig property and the JSON stays flat.
/// </summary>
public static class StrategyParameterValues
{
    static readonly Dictionary<string, PropertyInfo> properties = typeof(RunConfig).GetProperties()
        .Where(p => p.Name != nameof(RunConfig.StrategyParameters))
        .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);

    public static bool IsProperty(string name) => properties.ContainsKey(name);

    /// <summary>The raw value (double, int, string …) or null when unset.</summary>
    public static object? Get(RunConfig c, string name)
    {
        if (properties.TryGetValue(name, out var property)) return property.GetValue(c);
        if (c.StrategyParameters is null || !c.StrategyParameters.TryGetValue(name, out var element)) return null;
        return element.ValueKind switch
        {
            // Out of double's range (1e400): the raw text, which the validator refuses as not a number.
            JsonValueKind.Number => element.TryGetDouble(out var d) && double.IsFinite(d) ? d : element.GetRawText(),
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Null => null,
            _ => element.GetRawText(),
        };
    }

    /// <summary>True when the JSON said null for an extension field (unlike leaving it out, which keeps the default).</summary>
    public static bool IsExplicitNull(RunConfig c, string name) =>
        !IsProperty(name) && c.StrategyParameters is { } extra && extra.TryGetValue(name, out var e) && e.ValueKind == JsonValueKind.Null;

    /// <summary>A copy of the config with the parameter set (null unsets an extension field or a nullable property).</summary>
    public static RunConfig With(RunConfig c, string name, object? value)
    {
        var copy = c with { };
        if (properties.TryGetValue(name, out var property))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? converted = value is null ? null
                : type == typeof(int) ? checked((int)Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))
                : type == typeof(long) ? checked((long)Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))
                : type == typeof(double) ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)
                : value.ToString();
            property.SetValue(copy, converted); // init-only setters are writable through reflection on a fresh copy
            return copy;
        }
        var extra = new Dictionary<string, JsonElement>(c.StrategyParameters ?? [], StringComparer.Ordinal);
        if (value is null) extra.Remove(name);
        else extra[name] = JsonSerializer.SerializeToElement(value);
        return copy with { StrategyParameters = extra.Count == 0 ? null : extra };
    }

    /// <summary>The config with every declared extension parameter that is unset written out at its default (for display).</summary>
    public static RunConfig WithDeclaredDefaults(RunConfig c) => StrategyRegistry.Parameters.Select(p => p.Parameter)
        .Where(p => !IsProperty(p.Name) && p.Default is not null && Get(c, p.Name) is null)
        .Aggregate(c, (config, p) => With(config, p.Name, p.Default));
}
