using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Storage.Tests;

/// <summary>Run summaries compare by value, their config's hidden sizes and strategy parameters included.</summary>
public class RunSummaryEqualityTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    static RunConfig Config(int[]? hidden = null, string lambda = "0.5") => new()
    {
        Model = "mlp", HiddenSizes = hidden ?? [64, 32], Strategy = "replay", Seed = 3,
        StrategyParameters = new() { ["lambda"] = JsonDocument.Parse(lambda).RootElement },
    };

    static RunSummary Summary(RunConfig config) => new() { Id = "a", Config = config, Status = RunStatus.Finished, AverageAccuracy = 61.5, EventCount = 7 };

    [Fact]
    public void Two_reads_of_the_same_stored_run_are_equal()
    {
        using var db = new TempDatabase();
        using var store = db.Open();
        store.AddRun("a", Config(), T0);

        var first = store.GetSummary("a")!;
        var second = store.GetSummary("a")!;

        Assert.NotSame(first.Config.HiddenSizes, second.Config.HiddenSizes); // separate reads, separate arrays
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(store.ListRuns(), store.ListRuns());
    }

    [Fact]
    public void Summaries_built_from_equal_configs_are_equal()
    {
        var a = Summary(Config());
        var b = Summary(Config());

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Summaries_differing_in_hidden_sizes_or_a_strategy_parameter_are_unequal()
    {
        Assert.NotEqual(Summary(Config()), Summary(Config(hidden: [64, 16])));
        Assert.NotEqual(Summary(Config()), Summary(Config(hidden: [64])));
        Assert.NotEqual(Summary(Config()), Summary(Config(lambda: "0.25")));
        Assert.NotEqual(Summary(Config()), Summary(Config() with { StrategyParameters = null }));
        Assert.NotEqual(Summary(Config()), Summary(Config() with { Seed = 4 }));
    }

    [Fact]
    public void Summaries_differing_in_any_other_member_are_unequal()
    {
        var a = Summary(Config());

        Assert.NotEqual(a, a with { Id = "b" });
        Assert.NotEqual(a, a with { Status = RunStatus.Running });
        Assert.NotEqual(a, a with { Name = "renamed" });
        Assert.NotEqual(a, a with { AverageAccuracy = 61.6 });
        Assert.NotEqual(a, a with { EventCount = 8 });
        Assert.NotEqual(a, a with { RecordingError = "not saved" });
    }
}
