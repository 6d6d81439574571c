using ContinualLearning.Engine.Config;

namespace ContinualLearning.Dashboard.Runs;

/// <summary>The "ContinualLearning" section of appsettings.json (env: ContinualLearning__DataFolder etc.).</summary>
public sealed class DashboardOptions
{
    public const string Section = "ContinualLearning";

    /// <summary>Downloaded data sets (and later the run database). Empty = a folder under local application data.</summary>
    public string? DataFolder { get; set; }
    /// <summary>Runs waiting for a worker; one more is refused with 429.</summary>
    public int QueueCapacity { get; set; } = 32;
    /// <summary>Runs trained at the same time, each on its own thread.</summary>
    public int Concurrency { get; set; } = 1;
    /// <summary>Steps per second the dashboard starts runs at, so people can watch (the seed's ~126 steps take ~16 s at 8).</summary>
    public double DashboardPace { get; set; } = 8;
    /// <summary>Ended runs kept in memory after they are stored (the "recent runs" menu, quick look-ups); older ones are
    /// served from the run database. Their events cost about 0.5 KB each.</summary>
    public int FinishedRunsInMemory { get; set; } = 12;
    /// <summary>At most this many events in all over the ended runs kept in memory (about 45 MB at the default).</summary>
    public long FinishedEventsInMemory { get; set; } = 100_000;
    /// <summary>TorchSharp's intra-op threads (process-wide). 0 = one less than the cores, so serving the page and the
    /// hub's watchers never waits behind training; the small seed models gain nothing from more threads anyway.</summary>
    public int TorchThreads { get; set; }
    /// <summary>What one run (or one sweep, summed over its runs) may cost; bigger configs get a 400 naming the estimate and the limit.</summary>
    public BudgetOptions Budget { get; set; } = new();

    public int ResolvedTorchThreads() => TorchThreads > 0 ? TorchThreads : Math.Max(1, Environment.ProcessorCount - 1);

    public string ResolvedDataFolder() => string.IsNullOrWhiteSpace(DataFolder)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "ContinualLearning", "data")
        : DataFolder;
}

/// <summary>ContinualLearning:Budget (env: ContinualLearning__Budget__ComputeMinutes etc.); defaults = RunBudget.Default.</summary>
public sealed class BudgetOptions
{
    /// <summary>Weights, gradients, optimizer and strategy state and activations of one run, in MB.</summary>
    public double ModelStateMB { get; set; } = RunBudget.Default.ModelStateMB;
    /// <summary>Estimated compute of one run (or the time its pace makes it take), in minutes.</summary>
    public double ComputeMinutes { get; set; } = RunBudget.Default.ComputeMinutes;
    /// <summary>Events (steps, evaluations, task events) one run may append.</summary>
    public long Events { get; set; } = RunBudget.Default.Events;

    /// <summary>The budget; a setting that makes no sense stops the server at start-up, naming the setting.</summary>
    public RunBudget ToRunBudget()
    {
        var budget = new RunBudget(ModelStateMB, ComputeMinutes, Events);
        return budget.Problem() is { } problem
            ? throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Budget:{problem} (see docs/operations.md).")
            : budget;
    }
}
