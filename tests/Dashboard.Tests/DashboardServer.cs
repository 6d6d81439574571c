using ContinualLearning.Dashboard.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The real dashboard on real Kestrel (a free loopback port), with its own empty data folder.</summary>
public class DashboardServer : WebApplicationFactory<Program>
{
    readonly string dataFolder = Path.Combine(Path.GetTempPath(), "cl-dashboard-tests-" + Guid.NewGuid().ToString("n")[..8]);

    public DashboardServer()
    {
        UseKestrel(0);
        StartServer();
    }

    protected virtual int QueueCapacity => 32;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseStaticWebAssets();
        builder.UseSetting("ContinualLearning:DataFolder", dataFolder);
        builder.UseSetting("ContinualLearning:QueueCapacity", QueueCapacity.ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
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
        try { Directory.Delete(dataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A server whose bundled data has gone missing: every run fails while loading its data.</summary>
public sealed class BrokenDataServer : DashboardServer
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var empty = Directory.CreateTempSubdirectory("cl-no-data-").FullName;
        builder.ConfigureServices(services => services.AddSingleton(new ContinualLearning.Engine.Data.DataSetCatalog(empty, bundledDirectory: empty)));
    }
}

/// <summary>A server whose queue holds one waiting run, to see the 429.</summary>
public sealed class TinyQueueServer : DashboardServer
{
    protected override int QueueCapacity => 1;
}
