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

    public int ResolvedTorchThreads() => TorchThreads > 0 ? TorchThreads : Math.Max(1, Environment.ProcessorCount - 1);

    public string ResolvedDataFolder() => string.IsNullOrWhiteSpace(DataFolder)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "ContinualLearning", "data")
        : DataFolder;
}
