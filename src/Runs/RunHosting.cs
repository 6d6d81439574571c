using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ContinualLearning.Runs;

/// <summary>What a process does in the run cluster (ContinualLearning:Role).</summary>
public enum RunRole
{
    /// <summary>Pages, REST and hub, and trains runs too: the one-process default.</summary>
    Both,
    /// <summary>Pages, REST and hub; submits runs to the workers and watches them, trains none.</summary>
    Web,
    /// <summary>Trains runs (ContinualLearning:Concurrency slots); no web UI.</summary>
    Worker,
}

/// <summary>ContinualLearning:Cluster (env: ContinualLearning__Cluster__Redis etc.): how this process joins the run cluster.</summary>
public sealed class RunClusterOptions
{
    public const string Section = DashboardOptions.Section + ":Cluster";

    /// <summary>A Redis connection string ("127.0.0.1:6379"): the processes on it form one cluster. Empty = this process is a cluster of its own (localhost clustering).</summary>
    public string? Redis { get; set; }
    /// <summary>The cluster's id: processes with the same Redis, ClusterId and ServiceId form one cluster.</summary>
    public string ClusterId { get; set; } = "continual-learning";
    public string ServiceId { get; set; } = "continual-learning";
    /// <summary>The address other silos reach this one at (this machine's address on the cluster's network); default loopback (one machine).</summary>
    public string? AdvertisedAddress { get; set; }
    /// <summary>Silo-to-silo port; 0 = a free port (fine on one machine; give a fixed one to open in a firewall).</summary>
    public int SiloPort { get; set; }
    /// <summary>Gateway port for Orleans clients; 0 = a free port. Nothing here connects as a client; Orleans listens on it anyway.</summary>
    public int GatewayPort { get; set; }
    /// <summary>
    /// Seconds between liveness probes of each silo (Orleans' default 5). With <see cref="MissedProbesLimit"/> and the
    /// votes of the others it decides how soon a killed worker is declared dead, and so its runs interrupted.
    /// </summary>
    public double ProbeTimeoutSeconds { get; set; } = 2;
    /// <summary>Missed probes before a silo is suspected (Orleans' default 3).</summary>
    public int MissedProbesLimit { get; set; } = 2;
}

/// <summary>Wires run hosting into a host: the Orleans silo that trains runs, and (on web nodes) the queue that feeds it.</summary>
public static class RunHosting
{
    /// <summary>ContinualLearning:Role: both (default), web or worker; anything else stops the process naming the setting.</summary>
    public static RunRole RoleFrom(IConfiguration configuration)
    {
        var text = configuration[$"{DashboardOptions.Section}:Role"];
        if (string.IsNullOrWhiteSpace(text)) return RunRole.Both;
        return Enum.TryParse<RunRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Role must be web, worker or both (it is '{text[..Math.Min(text.Length, 40)]}').");
    }

    /// <summary>
    /// Makes this process a silo of the run cluster. Embedded default: localhost clustering on free loopback ports, a
    /// cluster of one (nothing to configure or install; many servers may run in one test process). With
    /// ContinualLearning:Cluster:Redis the processes on that Redis form one cluster. A web-only silo hosts neither run
    /// grains nor worker grains, so runs are placed on workers only.
    /// </summary>
    public static IHostApplicationBuilder AddRunSilo(this IHostApplicationBuilder builder, RunRole role)
    {
        var cluster = builder.Configuration.GetSection(RunClusterOptions.Section).Get<RunClusterOptions>() ?? new();
        if (role == RunRole.Web && string.IsNullOrWhiteSpace(cluster.Redis))
            throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Role is web, which trains no runs: set {RunClusterOptions.Section}:Redis so workers can join (see docs/deploy.md).");
        int siloPort = cluster.SiloPort > 0 ? cluster.SiloPort : FreePort();
        int gatewayPort = cluster.GatewayPort > 0 ? cluster.GatewayPort : FreePort();
        builder.UseOrleans(silo =>
        {
            if (string.IsNullOrWhiteSpace(cluster.Redis))
                silo.UseLocalhostClustering(siloPort, gatewayPort);
            else
            {
                var address = string.IsNullOrWhiteSpace(cluster.AdvertisedAddress) ? IPAddress.Loopback : IPAddress.Parse(cluster.AdvertisedAddress);
                silo.UseRedisClustering(cluster.Redis)
                    .Configure<ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; })
                    .ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address))
                    // A killed worker is declared dead within about ProbeTimeout × (MissedProbesLimit + 1) plus a vote: well under 30 s.
                    .Configure<ClusterMembershipOptions>(o =>
                    {
                        o.ProbeTimeout = TimeSpan.FromSeconds(cluster.ProbeTimeoutSeconds);
                        o.NumMissedProbesLimit = cluster.MissedProbesLimit;
                        o.NumVotesForDeathDeclaration = 1;
                    });
                // The default directory deactivates every grain whose entry was in the partition of a silo that died, so a
                // web node's (or a worker's) death would cancel runs training on other workers. This directory recovers the
                // dead silo's entries from the silos that hold the activations instead: runs train on.
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }
            if (role == RunRole.Web)
                silo.Configure<GrainTypeOptions>(o => { o.Classes.Remove(typeof(RunGrain)); o.Classes.Remove(typeof(WorkerGrain)); });
        });
        // A worker's freed slot starts the cluster queue's next run at once (its timer would, within seconds).
        if (!string.IsNullOrWhiteSpace(cluster.Redis) && role != RunRole.Web) builder.Services.AddHostedService<FreedSlotsToQueue>();
        // The silo stops beside the web server, not after it: Kestrel may spend most of the shutdown timeout draining open
        // browser connections, and a silo left with an expired token throws from its stop instead of leaving cleanly.
        builder.Services.Configure<HostOptions>(o => o.ServicesStopConcurrently = true);
        builder.Services.AddSingleton<WorkerSlots>();
        builder.Services.AddSingleton(string.IsNullOrWhiteSpace(cluster.Redis) ? RunStreamInterval.OneProcess : RunStreamInterval.Cluster);
        if (role != RunRole.Web) builder.Services.AddHostedService<TorchThreadsSetting>();
        return builder;
    }

    /// <summary>
    /// The run host (run grains, placed on workers) and the fair queue the edges submit to (<see cref="IRunQueue"/>),
    /// chosen once here: in one process, this process's queue and slots (<see cref="LocalRunQueue"/>); in a cluster
    /// (ContinualLearning:Cluster:Redis), the cluster's one queue grain (<see cref="ClusterRunQueue"/>), which any node's
    /// silo may host and which rebuilds from the run store (<see cref="Storage.IRunStore"/>, registered by the host).
    /// </summary>
    public static IHostApplicationBuilder AddRunQueue(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<GrainRunHost>();
        services.AddSingleton<IRunHost>(sp => sp.GetRequiredService<GrainRunHost>());
        if (IsClustered(builder.Configuration))
        {
            services.AddSingleton<ClusterQueueClient>();
            AddQueue<ClusterRunQueue>(services);
        }
        else AddQueue<LocalRunQueue>(services);
        return builder;
    }

    static void AddQueue<TQueue>(IServiceCollection services) where TQueue : class, IRunQueue, IHostedService
    {
        services.AddSingleton<TQueue>();
        services.AddSingleton<IRunQueue>(sp => sp.GetRequiredService<TQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<TQueue>());
    }

    static bool IsClustered(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[$"{RunClusterOptions.Section}:Redis"]);

    /// <summary>
    /// The registry of live runs the pages, hub and REST read: in a cluster, one that also attaches to runs other web
    /// nodes submitted (<see cref="WatchingRunRegistry"/>); in one process, every live run is this node's own.
    /// </summary>
    public static IHostApplicationBuilder AddRunRegistry(this IHostApplicationBuilder builder)
    {
        if (!IsClustered(builder.Configuration))
            builder.Services.AddSingleton<IRunRegistry, InMemoryRunRegistry>();
        else
        {
            builder.Services.AddSingleton<InMemoryRunRegistry>();
            builder.Services.AddSingleton<IRunRegistry, WatchingRunRegistry>();
        }
        return builder;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Tells the cluster's queue grain when a run on this worker ends and frees its slot.</summary>
sealed class FreedSlotsToQueue(WorkerSlots slots, IGrainFactory grains, ILogger<FreedSlotsToQueue> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        slots.Freed += Tell;
        return Task.CompletedTask;
    }

    void Tell() => grains.GetGrain<IRunQueueGrain>(RunQueueGrain.Key).SlotFreed().ContinueWith(t =>
        logger.LogDebug(t.Exception, "The run queue did not hear of a freed slot; its timer starts the next run"), TaskContinuationOptions.OnlyOnFaulted);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        slots.Freed -= Tell;
        return Task.CompletedTask;
    }
}

/// <summary>
/// libtorch's intra-op threads are one setting for the whole process (torch.set_num_threads), so it is set once, where
/// runs train: one thread per run when several train at once (see <see cref="DashboardOptions.TorchThreads"/>).
/// </summary>
sealed class TorchThreadsSetting(IOptions<DashboardOptions> options, ILogger<TorchThreadsSetting> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        int slots = Math.Max(1, settings.ResolvedConcurrency()), threads = settings.ResolvedTorchThreads(slots);
        TorchSharp.torch.set_num_threads(threads);
        logger.LogInformation("{Slots} training slot(s), {Threads} libtorch thread(s) each", slots, threads);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
