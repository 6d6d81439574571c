using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Dashboard.Tests;

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

/// <summary>A server with one worker whose queue holds one waiting run, to see the 429.</summary>
public sealed class TinyQueueServer : DashboardServer
{
    protected override int QueueCapacity => 1;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ContinualLearning:Concurrency", "1"); // the second run must wait, whatever the cores
    }
}
