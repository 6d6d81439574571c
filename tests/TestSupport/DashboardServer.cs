using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Testing;

/// <summary>
/// The real dashboard in-process on real Kestrel (a free loopback port), with its own data folder and so its own run
/// database. Usable as an xunit class fixture (the parameterless constructor) or started per test with
/// <see cref="Start"/> (reuse a data folder to simulate a restart, or add settings).
/// </summary>
public class DashboardServer : WebApplicationFactory<Program>
{
    readonly bool ownsFolder;
    readonly IReadOnlyDictionary<string, string> settings;

    public DashboardServer() : this(null, null) { }

    /// <param name="dataFolder">An existing data folder to reuse (a "restart"); by default a fresh one, deleted on dispose.</param>
    /// <param name="settings">More configuration ("ContinualLearning:FinishedRunsInMemory" = "0" …); wins over the defaults here.</param>
    protected DashboardServer(string? dataFolder, IReadOnlyDictionary<string, string>? settings)
    {
        ownsFolder = dataFolder is null;
        this.settings = settings ?? new Dictionary<string, string>();
        DataFolder = dataFolder ?? NewFolder();
        UseKestrel(0);
        StartServer();
    }

    /// <summary>A server of its own for one test (xunit fixtures need the single parameterless constructor).</summary>
    public static DashboardServer Start(string? dataFolder = null, IReadOnlyDictionary<string, string>? settings = null) => new(dataFolder, settings);

    public string DataFolder { get; }

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "cl-tests-" + Guid.NewGuid().ToString("n"));

    protected virtual int QueueCapacity => 32;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseStaticWebAssets(); // browser tests need MudBlazor's and Plotly's files outside Development
        builder.UseSetting("ContinualLearning:DataFolder", DataFolder);
        builder.UseSetting("ContinualLearning:QueueCapacity", QueueCapacity.ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public HttpClient Http() => new() { BaseAddress = BaseAddress };

    public TrainingRun Run(string id) => Services.GetRequiredService<IRunRegistry>().Find(id) ?? throw new KeyNotFoundException(id);

    public HubConnection Hub() => new HubConnectionBuilder()
        .WithUrl(new Uri(BaseAddress, "/hubs/training"))
        .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions))
        .Build();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (ownsFolder) try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
