using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ContinualLearning.History.Tests;

/// <summary>The dashboard in-process on a real Kestrel port, with its own data folder (and so its own run database).</summary>
public sealed class DashboardServer : WebApplicationFactory<Program>
{
    readonly bool ownsFolder;
    readonly IReadOnlyDictionary<string, string> settings;

    /// <param name="dataFolder">An existing data folder to reuse (a "restart"); by default a fresh one, deleted on dispose.</param>
    /// <param name="settings">More configuration ("ContinualLearning:FinishedRunsInMemory" = "0" …).</param>
    public DashboardServer(string? dataFolder = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        ownsFolder = dataFolder is null;
        this.settings = settings ?? new Dictionary<string, string>();
        DataFolder = dataFolder ?? NewFolder();
        UseKestrel(0);
        StartServer();
    }

    public string DataFolder { get; }

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "cl-history-tests-" + Guid.NewGuid().ToString("n"));

    public Uri BaseAddress => ClientOptions.BaseAddress;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ContinualLearning:DataFolder", DataFolder);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.UseStaticWebAssets(); // the browser test needs MudBlazor's and Plotly's files outside Development
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (ownsFolder) try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}
