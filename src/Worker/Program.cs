using ContinualLearning.Engine.Data;
using ContinualLearning.Runs;
using ContinualLearning.Storage;
using Microsoft.Extensions.Options;

// A worker of the run cluster: a silo that trains runs (ContinualLearning:Concurrency slots), no web UI. It joins the
// cluster on ContinualLearning:Cluster:Redis; the web nodes place runs on it and watch them, and it records the runs it
// trains in the cluster's run database, ConnectionStrings:Runs (see docs/deploy.md).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<DashboardOptions>(builder.Configuration.GetSection(DashboardOptions.Section));
builder.Services.AddSingleton(sp => new DataSetCatalog(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ResolvedDataFolder()));
var role = RunHosting.RoleFrom(builder.Configuration);
if (role == RunRole.Web) throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Role is web: run the dashboard (src/Dashboard) for that; a worker trains runs.");
if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RunClusterOptions.Section}:Redis"]))
    throw new InvalidOperationException($"Setting {RunClusterOptions.Section}:Redis is missing: a worker joins a cluster through Redis (see docs/deploy.md).");
var database = builder.Configuration.GetConnectionString(RunStore.ConnectionStringName);
if (string.IsNullOrWhiteSpace(database) || !PostgresRunStore.IsPostgres(database))
{
    Console.Error.WriteLine($"Setting ConnectionStrings:{RunStore.ConnectionStringName} must name the cluster's PostgreSQL run database: " +
        "a worker records the runs it trains there (see docs/deploy.md).");
    return 1;
}
// Opened before the silo starts, so a database that cannot be used stops the worker with one message. Runs left going
// are not marked interrupted here: other workers may be training them (the web nodes store an end when a worker is lost).
IRunStore store;
try { store = PostgresRunStore.Open(database, LeftGoing.Keep); }
catch (RunStoreOpenException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
builder.Services.AddSingleton<IRunStore>(_ => store); // disposed with the host
builder.Services.AddSingleton<RunRecordings>();
builder.AddRunSilo(RunRole.Worker);
builder.Build().Run();
return 0;
