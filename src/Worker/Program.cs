using ContinualLearning.Engine.Data;
using ContinualLearning.Runs;
using Microsoft.Extensions.Options;

// A worker of the run cluster: a silo that trains runs (ContinualLearning:Concurrency slots), no web UI. It joins the
// cluster on ContinualLearning:Cluster:Redis; the web nodes place runs on it and watch them (see docs/deploy.md).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<DashboardOptions>(builder.Configuration.GetSection(DashboardOptions.Section));
builder.Services.AddSingleton(sp => new DataSetCatalog(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ResolvedDataFolder()));
var role = RunHosting.RoleFrom(builder.Configuration);
if (role == RunRole.Web) throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Role is web: run the dashboard (src/Dashboard) for that; a worker trains runs.");
if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RunClusterOptions.Section}:Redis"]))
    throw new InvalidOperationException($"Setting {RunClusterOptions.Section}:Redis is missing: a worker joins a cluster through Redis (see docs/deploy.md).");
builder.AddRunSilo(RunRole.Worker);
builder.Build().Run();
