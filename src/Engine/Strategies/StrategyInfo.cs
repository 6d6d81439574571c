using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Strategies;

/// <summary>What kind of value a strategy parameter holds: a real number, a whole number, or one of a few words.</summary>
public enum ParameterKind { Number, Integer, Choice }

/// <summary>
/// One setting of a strategy, declared next to its algorithm. Validation, config relevance, the CLI's options and
/// --help, the designer's controls, sweeps and the OpenAPI schema all read this. <see cref="Name"/> is the flat JSON
/// field of the config (an existing RunConfig property, or else kept in RunConfig.StrategyParameters).
/// </summary>
public sealed record StrategyParameter(string Name, string Label, string Meaning)
{
    public ParameterKind Kind { get; init; } = ParameterKind.Number;
    /// <summary>The default when no per-scenario default is given (a number, or the choice's word).</summary>
    public object? Default { get; init; }
    /// <summary>A default that depends on the scenario (e.g. EWC's λ); the field may then be left unset (null).</summary>
    public Func<string, double>? DefaultFor { get; init; }
    public double Min { get; init; }
    public double Max { get; init; } = double.MaxValue;
    /// <summary>False when the minimum itself is not allowed (e.g. γ in (0, 1]).</summary>
    public bool MinInclusive { get; init; } = true;
    public bool LogScale { get; init; }
    /// <summary>The designer's slider range when narrower than the allowed one (λ up to 10¹² is allowed, 1 … 10⁸ is useful).</summary>
    public (double Low, double High)? SliderRange { get; init; }
    /// <summary>The slider's step (in log10 units when LogScale).</summary>
    public double Step { get; init; } = 0.1;
    public string[] Choices { get; init; } = [];
    /// <summary>When only some settings of the strategy read this parameter (EWC's γ only in online mode).</summary>
    public Func<RunConfig, bool>? UsedWhen { get; init; }
    /// <summary>The command-line option; by default the name in kebab case (derAlpha → --der-alpha).</summary>
    public string Option { get; init; } = "--" + string.Concat(Name.Select(ch => char.IsUpper(ch) ? "-" + char.ToLowerInvariant(ch) : ch.ToString()));

    public bool Optional => DefaultFor is not null;

    /// <summary>The value a run with this config uses (the default when unset).</summary>
    public double Number(RunConfig c) => StrategyParameterValues.Get(c, Name) switch
    {
        null => DefaultFor?.Invoke(c.Scenario) ?? Convert.ToDouble(Default, System.Globalization.CultureInfo.InvariantCulture),
        var v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture),
    };

    public string Text(RunConfig c) => StrategyParameterValues.Get(c, Name)?.ToString() ?? Default?.ToString() ?? "";

    /// <summary>The rule, as shown in errors and --help: "between 0 and 100", "one of separate, online".</summary>
    public string Rule => Kind == ParameterKind.Choice ? $"must be one of {string.Join(", ", Choices)}"
        : MinInclusive ? $"must be between {Show(Min)} and {Show(Max)}{(Optional ? " when set" : "")}"
        : $"must be greater than {Show(Min)} and at most {Show(Max)}{(Optional ? " when set" : "")}";

    /// <summary>The value's problem, or null when it is allowed (unset is allowed for per-scenario defaults).</summary>
    public string? Check(RunConfig c)
    {
        var value = StrategyParameterValues.Get(c, Name);
        // Unset keeps the default; an explicit null is refused as for every other field (properties: the validator's null rule).
        if (value is null) return !Optional && StrategyParameterValues.IsExplicitNull(c, Name) ? "must not be null (leave the field out to keep its default)" : null;
        if (Kind == ParameterKind.Choice) return Choices.Contains(value.ToString()) ? null : Rule;
        double v;
        try { v = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or InvalidCastException) { return "must be a number"; }
        if (Kind == ParameterKind.Integer && v != Math.Floor(v)) return "must be a whole number";
        bool above = MinInclusive ? v >= Min : v > Min;
        return double.IsFinite(v) && above && v <= Max ? null : Rule;
    }

    public static string Show(double v) => Math.Abs(v) >= 1e6 ? v.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture)
        : v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A strategy's declaration: names, explanations, the scenarios it supports (and why not the others), its parameters
/// and the one that tells its runs apart in run names.
/// </summary>
public sealed record StrategyInfo(string Name, string Title, string Summary, string Explanation)
{
    public IReadOnlyList<StrategyParameter> Parameters { get; init; } = [];
    /// <summary>Fields an older version declared: still accepted and checked (stored runs and shared links load), no longer offered.</summary>
    public IReadOnlyList<StrategyParameter> LegacyParameters { get; init; } = [];
    /// <summary>Scenarios it runs in; null = all.</summary>
    public string[]? Scenarios { get; init; }
    /// <summary>Why it refuses the other scenarios (shown as the error).</summary>
    public string? ScenarioReason { get; init; }
    /// <summary>Further rules on the rest of the config: the field, whether the config satisfies it, and the message.</summary>
    public IReadOnlyList<(string Field, Func<RunConfig, bool> Holds, string Message)> Requirements { get; init; } = [];
    /// <summary>The parameter shown in a run's default name ("replayRatio 0.3"); null = none.</summary>
    public string? NamingParameter { get; init; }

    public bool Supports(string scenario) => Scenarios is null || Scenarios.Contains(scenario);
}
