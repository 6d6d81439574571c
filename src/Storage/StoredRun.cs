using System.Globalization;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Storage;

/// <summary>One row of the history grid: everything shown there, read without touching the event history.</summary>
public sealed record RunSummary
{
    public required string Id { get; init; }
    /// <summary>The name the user gave the run; null until renamed (see DisplayName).</summary>
    public string? Name { get; init; }
    public RunStatus Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>The run's configuration; two summaries compare it by value (see <see cref="ConfigByValue"/>).</summary>
    public required RunConfig Config { get => config.Value; init => config = new(value); }
    readonly ConfigByValue config;
    public double? AverageAccuracy { get; init; }
    public double? Forgetting { get; init; }
    public double? BackwardTransfer { get; init; }
    public long? DurationMs { get; init; }
    public string? Error { get; init; }
    /// <summary>The sweep or repeat group the run belongs to, if any.</summary>
    public string? SweepId { get; init; }
    public int EventCount { get; init; }
    /// <summary>Who submitted the run (the identity the server gave their browser or token); "local" in personal mode.</summary>
    public string Owner { get; init; } = TrainingRun.LocalOwner;
    /// <summary>Not stored: set by the server for a run it holds whose events or end could not be saved yet (one sentence).</summary>
    public string? RecordingError { get; init; }

    public string Dataset => Config.Dataset;
    public string Tasks => Config.Tasks;
    public string Strategy => Config.Strategy;
    public string Model => Config.Model;
    public int Seed => Config.Seed;
    public string? KeyParameter => KeyParameterOf(Config);
    public string DisplayName => Name ?? DefaultName(Config);

    /// <summary>The one parameter that tells runs of a strategy apart ("replayRatio 0.3"), as the strategy declares it; null for strategies without one.</summary>
    public static string? KeyParameterOf(RunConfig c) =>
        Engine.Strategies.StrategyRegistry.Find(c.Strategy) is { NamingParameter: { } name } strategy
            ? $"{name} {Value(strategy.Parameters.Single(p => p.Name == name), c)}"
            : null;

    static string Value(Engine.Strategies.StrategyParameter p, RunConfig c) =>
        p.Kind == Engine.Strategies.ParameterKind.Choice ? p.Text(c) : p.Number(c).ToString("0.###", CultureInfo.InvariantCulture);

    public static string DefaultName(RunConfig c) =>
        string.Join(" · ", new[] { c.Strategy, KeyParameterOf(c), c.Model, $"seed {c.Seed}" }.Where(s => s is not null));

    /// <summary>
    /// A run's config compared by content. <see cref="RunConfig"/> is a record, but its hidden sizes (an array) and
    /// strategy parameters (a dictionary) compare by reference, so two reads of the same stored run were unequal; the
    /// record's generated equality uses this field's, so every other member of the summary keeps comparing as generated.
    /// </summary>
    readonly struct ConfigByValue(RunConfig value) : IEquatable<ConfigByValue>
    {
        public RunConfig Value => value;

        public bool Equals(ConfigByValue other) =>
            ReferenceEquals(value, other.Value)
            || value is not null && other.Value is not null
               && value with { HiddenSizes = other.Value.HiddenSizes, StrategyParameters = other.Value.StrategyParameters } == other.Value
               && value.HiddenSizes.AsSpan().SequenceEqual(other.Value.HiddenSizes)
               && SameParameters(value.StrategyParameters, other.Value.StrategyParameters);

        static bool SameParameters(Dictionary<string, System.Text.Json.JsonElement>? a, Dictionary<string, System.Text.Json.JsonElement>? b) =>
            (a is null || a.Count == 0) && (b is null || b.Count == 0)
            || a is not null && b is not null && a.Count == b.Count
               && a.All(p => b.TryGetValue(p.Key, out var other) && System.Text.Json.JsonElement.DeepEquals(p.Value, other));

        public override bool Equals(object? obj) => obj is ConfigByValue other && Equals(other);

        // Members that compare by value as they are; equal configs hash alike.
        public override int GetHashCode() => value is null ? 0 : HashCode.Combine(value.Strategy, value.Model, value.Tasks, value.Seed, value.HiddenSizes.Length);
    }
}

/// <summary>A stored run with its result and the event history that redraws its curves.</summary>
public sealed record StoredRun(RunSummary Summary, RunResult? Result, IReadOnlyList<RunEvent> Events);

/// <summary>A stored sweep or repeat: what was asked and which runs it queued (in plan order).</summary>
public sealed record StoredSweep(string Id, string? Name, DateTimeOffset CreatedAt, string SpecJson, IReadOnlyList<string> RunIds);

/// <summary>A run to add as queued (<see cref="IRunStore.AddRuns"/>).</summary>
public sealed record NewRun(string Id, RunConfig Config, DateTimeOffset CreatedAt, string? Name = null, string Owner = TrainingRun.LocalOwner);

/// <summary>The sweep a group of new runs forms; stored with them in the same transaction.</summary>
public sealed record NewSweep(string Id, string? SpecJson, string? Name, DateTimeOffset CreatedAt);
