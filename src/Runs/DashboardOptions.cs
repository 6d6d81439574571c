using ContinualLearning.Engine.Config;

namespace ContinualLearning.Runs;

/// <summary>The "ContinualLearning" section of appsettings.json (env: ContinualLearning__DataFolder etc.).</summary>
public sealed class DashboardOptions
{
    public const string Section = "ContinualLearning";

    /// <summary>Downloaded data sets (and later the run database). Empty = a folder under local application data.</summary>
    public string? DataFolder { get; set; }
    /// <summary>Runs waiting for a worker, all owners together; one more is refused with 429.</summary>
    public int QueueCapacity { get; set; } = 2000;
    /// <summary>Runs one owner may have waiting at once (one sweep of 50 fits); one more is refused with 429 saying so.</summary>
    public int OwnerQueueQuota { get; set; } = 60;
    /// <summary>Workers: runs trained at the same time, each on its own thread. 0 = one per core.</summary>
    public int Concurrency { get; set; }
    /// <summary>Steps per second the dashboard starts runs at, so people can watch (the seed's ~126 steps take ~16 s at 8).</summary>
    public double DashboardPace { get; set; } = 8;
    /// <summary>Ended runs kept in memory after they are stored (the "recent runs" menu, quick look-ups); older ones are
    /// served from the run database. Their events cost about 0.5 KB each.</summary>
    public int FinishedRunsInMemory { get; set; } = 12;
    /// <summary>At most this many events in all over the ended runs kept in memory (about 45 MB at the default).</summary>
    public long FinishedEventsInMemory { get; set; } = 100_000;
    /// <summary>
    /// libtorch's intra-op threads. libtorch has one such setting for the whole process (torch.set_num_threads), not one
    /// per run, so it is set once at start-up: 0 = 1 when there is more than one worker (each run then computes on its
    /// own worker thread alone, and the workers share the cores instead of each run spreading over all of them and
    /// fighting the others), else one less than the cores, so serving the page and the hub's watchers never waits behind
    /// training. The small seed models gain nothing from more threads anyway. A value above 0 is used as given.
    /// </summary>
    public int TorchThreads { get; set; }
    /// <summary>What one run (or one sweep, summed over its runs) may cost; bigger configs get a 400 naming the estimate and the limit.</summary>
    public BudgetOptions Budget { get; set; } = new();

    /// <summary>The workers: <see cref="Concurrency"/>, or one per core when it is 0 (or absent).</summary>
    public int ResolvedConcurrency() => Concurrency > 0 ? Concurrency : Environment.ProcessorCount;

    /// <summary>The intra-op threads for <paramref name="workers"/> workers (see <see cref="TorchThreads"/>).</summary>
    public int ResolvedTorchThreads(int workers) =>
        TorchThreads > 0 ? TorchThreads : workers > 1 ? 1 : Math.Max(1, Environment.ProcessorCount - 1);

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
