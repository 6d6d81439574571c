using ContinualLearning.Dashboard.Api;
using ContinualLearning.Dashboard.Class;
using ContinualLearning.Dashboard.Components;
using ContinualLearning.Dashboard.Hubs;
using ContinualLearning.Dashboard.History;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Dashboard.Imaging;
using ContinualLearning.Runs;
using ContinualLearning.Dashboard.Security;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Data;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.Configure<DashboardOptions>(builder.Configuration.GetSection(DashboardOptions.Section));
builder.Services.AddSingleton(sp => new DataSetCatalog(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ResolvedDataFolder()));
// Runs train on run grains (src/Runs): by default this process is the one silo (localhost clustering) and trains them;
// with ContinualLearning:Role=web and ContinualLearning:Cluster:Redis it joins a cluster and the workers (src/Worker) train.
var role = RunHosting.RoleFrom(builder.Configuration);
if (role == RunRole.Worker)
    throw new InvalidOperationException($"Setting {DashboardOptions.Section}:Role is worker: run the worker host (src/Worker) instead; the dashboard is web or both.");
builder.AddRunSilo(role);
builder.AddRunRegistry();
builder.Services.AddRunHistory(); // before the queue: runs are stored before they are queued
// Runs this process trains (its run grains) are recorded here, in the same store; web-only nodes train none.
builder.Services.AddSingleton(sp => new RunRecordings(sp.GetRequiredService<RunHistory>().Store, sp.GetRequiredService<ILogger<RunRecordings>>()));
// The run store every silo's queue grain reads (in a cluster it may be hosted here): the run history's.
builder.Services.AddSingleton(sp => sp.GetRequiredService<RunHistory>().Store);
builder.AddRunQueue();
builder.Services.AddSingleton<DataImages>();
builder.Services.AddClassExperiments();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
// One JSON shape everywhere: camelCase, enums as camelCase strings (EngineJson), for REST and the hub alike.
builder.Services.ConfigureHttpJsonOptions(o => EngineJson.Configure(o.SerializerOptions));
// Hub arguments bind as raw JSON (JsonElement) and duplicates are reported by the hub itself, naming the field.
builder.Services.AddSignalR().AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions).AllowDuplicateProperties = true);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = BadJson.NameTheField);
// Unreadable request bodies become exceptions in every environment, so BadJson can name the field in the 400.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddOpenApi(o => o.DescribeCrossSiteRules().DescribeApi().DescribeStrategyParameters());
builder.Services.AddWebSecurity(builder.Configuration);
builder.Services.AddVisitorIdentity(builder.Configuration); // visitor cookie, API tokens, instructor key, abuse limits
builder.Services.AddHealthChecks().AddCheck<RunDatabaseHealthCheck>(RunDatabaseHealthCheck.Name);

var app = builder.Build();

app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode
        : e is ContinualLearning.Storage.RunStoreUnavailableException ? StatusCodes.Status503ServiceUnavailable // e.g. rename on a full disk
        : StatusCodes.Status500InternalServerError,
    SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.UseWebSecurity(); // security headers; 403 to foreign origins, 415 to API writes that are not JSON
app.UseVisitorIdentity(); // who is asking (cookie or API token; a new visitor gets an identity), then the abuse limits
app.UseClassBoardGuard(); // a student who opens /class gets a 403, not the instructor's board
app.UseAntiforgery();
app.UseStoredRunRedirect();
app.MapStaticAssets();
app.MapOpenApi();
app.MapHealthChecks("/healthz", new() { ResponseWriter = RunDatabaseHealthCheck.WriteJson });
app.MapRunEndpoints();
app.MapHistoryEndpoints();
app.MapIdentityEndpoints();
app.MapClassEndpoints();
app.MapHub<TrainingHub>(TrainingHub.Path);
// SecurityHeaders sends the one Content-Security-Policy (frame-ancestors 'none' included); Blazor's own would be a second.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

try
{
    // Opens and checks the run database before anything is served: a problem stops the server with one clear message.
    app.Services.GetRequiredService<RunHistory>();
}
catch (ContinualLearning.Storage.RunStoreOpenException e)
{
    Console.Error.WriteLine(e.Message); // also logged by RunHistory; it names the file and what to do
    Environment.ExitCode = 1;
    return;
}

app.Run();

/// <summary>Entry point type, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
