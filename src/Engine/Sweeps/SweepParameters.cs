using System.Reflection;
using System.Text.Json;
using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// The config fields a sweep can vary: every numeric RunConfig property, found by reflection and named as in the
/// config JSON (camelCase), so a field added to RunConfig later (e.g. ewcLambda) is sweepable without touching this.
/// The seed is excluded: seeds are the sweep's repeats.
/// </summary>
public static class SweepParameters
{
    static readonly Dictionary<string, PropertyInfo> properties = typeof(RunConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && IsNumeric(p.PropertyType) && p.Name != nameof(RunConfig.Seed))
        .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);

    /// <summary>The sweepable parameters, most useful first.</summary>
    public static IReadOnlyList<string> Names { get; } =
        new[] { "replayRatio", "learningRate", "epochs", "memoryPerClass" }.Where(properties.ContainsKey)
            .Concat(properties.Keys.Order(StringComparer.Ordinal).Where(n => n is not ("replayRatio" or "learningRate" or "epochs" or "memoryPerClass")))
            .ToArray();

    /// <summary>The strategy a parameter belongs to, when only one strategy reads it (sweeping it under another varies nothing).</summary>
    public static string? StrategyUsing(string name) => name switch
    {
        "replayRatio" => "replay",
        "memoryPerClass" => "replay-reservoir",
        _ => null,
    };

    public static bool IsKnown(string name) => properties.ContainsKey(name);

    /// <summary>True when the field holds whole numbers only (int, long), so 0.5 is not a valid value.</summary>
    public static bool IsInteger(string name) => Underlying(properties[name].PropertyType) is var t && (t == typeof(int) || t == typeof(long));

    public static double? Get(RunConfig config, string name) =>
        properties[name].GetValue(config) is { } v ? Convert.ToDouble(v) : null;

    /// <summary>A copy of the config with the field set to the value (converted to the field's type).</summary>
    public static RunConfig With(RunConfig config, string name, double value)
    {
        var property = properties[name];
        var type = Underlying(property.PropertyType);
        object converted = type == typeof(double) ? value
            : type == typeof(float) ? (object)(float)value
            : type == typeof(int) ? (object)checked((int)value)
            : (object)checked((long)value);
        var copy = config with { };
        property.SetValue(copy, converted); // init-only setters are writable through reflection on a fresh copy
        return copy;
    }

    static Type Underlying(Type t) => Nullable.GetUnderlyingType(t) ?? t;
    static bool IsNumeric(Type t) => Underlying(t) is var u && (u == typeof(double) || u == typeof(float) || u == typeof(int) || u == typeof(long));
}
