using System.Reflection;
using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>
/// The config fields a sweep can vary: every numeric RunConfig property, found by reflection and named as in the
/// config JSON (camelCase), and every numeric strategy parameter declared by a strategy (StrategyInfo), so a new
/// field or strategy is sweepable without touching this. The seed is excluded: seeds are the sweep's repeats.
/// </summary>
public static class SweepParameters
{
    static readonly Dictionary<string, bool> integerByName = typeof(RunConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && IsNumeric(p.PropertyType) && p.Name != nameof(RunConfig.Seed))
        .Select(p => (Name: JsonNamingPolicy.CamelCase.ConvertName(p.Name), Integer: Underlying(p.PropertyType) is var t && (t == typeof(int) || t == typeof(long))))
        .Concat(StrategyRegistry.Parameters.Select(p => p.Parameter).Where(p => p.Kind != ParameterKind.Choice && !StrategyParameterValues.IsProperty(p.Name))
            .Select(p => (p.Name, Integer: p.Kind == ParameterKind.Integer)))
        .ToDictionary(p => p.Name, p => p.Integer, StringComparer.Ordinal);

    static readonly string[] mostUseful = ["replayRatio", "learningRate", "epochs", "memoryPerClass"];

    /// <summary>The sweepable parameters, most useful first.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. mostUseful.Where(integerByName.ContainsKey), .. integerByName.Keys.Order(StringComparer.Ordinal).Where(n => !mostUseful.Contains(n))];

    /// <summary>The strategy a parameter belongs to (the first that declares it; sweeping it under another varies nothing).</summary>
    public static string? StrategyUsing(string name) =>
        StrategyRegistry.Parameters.FirstOrDefault(p => p.Parameter.Name == name).Strategies?.FirstOrDefault();

    public static bool IsKnown(string name) => integerByName.ContainsKey(name);

    /// <summary>True when the field holds whole numbers only (int, long), so 0.5 is not a valid value.</summary>
    public static bool IsInteger(string name) => integerByName[name];

    public static double? Get(RunConfig config, string name) =>
        StrategyParameterValues.Get(config, name) is { } v ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>A copy of the config with the field set to the value (converted to the field's type).</summary>
    public static RunConfig With(RunConfig config, string name, double value) =>
        StrategyParameterValues.With(config, name, integerByName[name] ? checked((long)value) : value);

    static Type Underlying(Type t) => Nullable.GetUnderlyingType(t) ?? t;
    static bool IsNumeric(Type t) => Underlying(t) is var u && (u == typeof(double) || u == typeof(float) || u == typeof(int) || u == typeof(long));
}
