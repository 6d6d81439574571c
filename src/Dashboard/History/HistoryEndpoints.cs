using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Dashboard.Api;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Storage;
using ContinualLearning.Storage.Comparison;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContinualLearning.Dashboard.History;

public sealed record RenameRequest(string? Name);
public sealed record DeleteRequest(string[]? Ids);
public sealed record DeleteResult(int Deleted, string[] Skipped);

/// <summary>REST over the run history: the list, one run's events, rename, delete, comparison exports and sweeps.</summary>
public static class HistoryEndpoints
{
    public static IServiceCollection AddRunHistory(this IServiceCollection services)
    {
        services.AddSingleton<RunHistory>();
        services.AddSingleton<IRunRecorder>(sp => sp.GetRequiredService<RunHistory>());
        // Built at start-up, so it listens before the first run is queued.
        services.AddHostedService(sp => sp.GetRequiredService<RunHistory>());
        services.AddSingleton<SweepService>();
        return services;
    }

    /// <summary>A stored run in the shape GET /api/runs/{id} gives a live one.</summary>
    public static RunView ViewOf(RunSummary run, RunResult? result) => new(
        run.Id, run.Status, null, run.Config.Pace, run.CreatedAt, run.StartedAt, run.EndedAt, run.Config, result, run.Error);

    /// <summary>GET /api/runs/{id} for a run that is only in the database (e.g. from before a restart).</summary>
    public static RunView? StoredView(RunHistory history, string id) =>
        history.Store.GetSummary(id) is { } s ? ViewOf(s, history.Store.GetResults([id]).GetValueOrDefault(id)) : null;

    /// <summary>
    /// <c>/?run=id</c> of a run that is not live on this server (e.g. from before a restart) redirects to its own page,
    /// <c>/run/id</c>, which replays it from the database with the same timeline: the designer page then never needs the store.
    /// </summary>
    public static IApplicationBuilder UseStoredRunRedirect(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/"
            && context.Request.Query["run"].ToString() is { Length: > 0 } id && RunIds.Problem(id) is null
            && context.RequestServices.GetRequiredService<IRunRegistry>().Find(id) is null
            && context.RequestServices.GetRequiredService<RunHistory>().Store.GetSummary(id) is not null)
        {
            context.Response.Redirect("/run/" + Uri.EscapeDataString(id));
            return;
        }
        await next(context);
    });

    public static void MapHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        var history = app.MapGroup("/api/history").WithTags("History");
        history.MapGet("/", (RunHistory h) => h.ListRuns())
            .WithName("listStoredRuns")
            .WithSummary("Every stored run, newest first, with the summary fields of the history grid (no events)");

        var runs = app.MapGroup("/api/runs").WithTags("History");
        runs.MapGet("/{id}/events", Results<Ok<IReadOnlyList<RunEvent>>, ProblemHttpResult> (string id, IRunRegistry registry, RunHistory h) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : registry.Find(id) is { } live ? TypedResults.Ok(live.Events.Snapshot())
            : h.Store.GetSummary(id) is not null ? TypedResults.Ok(h.Store.GetEvents(id)) : NotFound(id))
            .WithName("getRunEvents")
            .WithSummary("A run's events so far (live or stored): what redraws its curves")
            .ProducesMalformedIdAndNotFound();

        runs.MapPut("/{id}/name", (string id, RenameRequest request, RunHistory h, ClaimsPrincipal user, RunOwnership ownership) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : RunNames.Problem(request.Name) is { } problem ? Results.ValidationProblem(new Dictionary<string, string[]> { [RunNames.Field] = [problem] }, title: "Invalid name")
            : h.Store.GetSummary(id) is not { } summary ? NotFound(id)
            : !ownership.MayChange(user, summary.Owner) ? RunEndpoints.Forbidden("rename")
            : h.Store.Rename(id, request.Name) ? Results.Ok(h.Store.GetSummary(id)) : NotFound(id))
            .WithName("renameRun")
            .WithSummary("Name (label) a run: 1-200 characters; null clears the name (the run shows its default one). Class mode: its owner or an instructor")
            .Produces<RunSummary>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .LimitedAs(LimitedAction.Rename);

        runs.MapDelete("/{id}", (string id, IRunRegistry registry, RunHistory h, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (RunIds.Check(id) is { } bad) return RunIds.BadRequest(bad);
            if (OwnerOf(id, registry, h) is { } owner && !ownership.MayChange(user, owner)) return RunEndpoints.Forbidden("delete");
            if (IsGoing(id, registry)) return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The run is still going", detail: "Cancel it first.");
            return h.Delete([id]) == 1 ? Results.NoContent() : NotFound(id);
        })
        .WithName("deleteRun")
        .WithSummary("Delete a finished run and its events (class mode: its owner or an instructor)")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesMalformedIdAndNotFound()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .LimitedAs(LimitedAction.Delete);

        runs.MapPost("/delete", (DeleteRequest request, IRunRegistry registry, RunHistory h, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (request.Ids is null || request.Ids.Length > MaxIdsPerRequest || request.Ids.Any(id => RunIds.Problem(id) is not null))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [$"must be a list of at most {MaxIdsPerRequest} run ids, each 1-{RunIds.MaxLength} letters, digits, '-' or '_'"] }, title: "Invalid delete request");
            // All or nothing: a list holding someone else's run deletes none (so no one learns which of theirs went).
            if (ownership.ClassMode && request.Ids.Distinct().Count(id => OwnerOf(id, registry, h) is { } owner && !ownership.MayChange(user, owner)) is > 0 and var theirs)
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your runs",
                    detail: $"{theirs} of these runs belong to someone else; nothing was deleted. {RunOwnership.Refusal("delete")}");
            var skipped = request.Ids.Where(id => IsGoing(id, registry)).ToArray();
            return Results.Ok(new DeleteResult(h.Delete(request.Ids.Except(skipped).ToArray()), skipped));
        })
        .WithName("deleteRuns")
        .WithSummary("Delete several runs; runs still going are skipped (class mode: only the caller's own, unless an instructor)")
        .Produces<DeleteResult>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .LimitedAs(LimitedAction.Delete);

        var compare = app.MapGroup("/api/compare").WithTags("History");
        compare.MapGet("/", (string? runs, RunHistory h) => CompareIds(runs) is not { } ids ? CompareProblem()
                : Compare(ids, h) is { } c ? Results.Text(c.ToJson(), "application/json") : NotFound(string.Join(",", ids)))
            .WithName("compareRuns")
            .WithSummary("Compare runs (runs=a,b,c): config differences, final metrics with the best per column, results")
            .Produces<ComparisonDocument>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        compare.MapGet("/csv", (string? runs, RunHistory h) => CompareIds(runs) is not { } ids ? CompareProblem()
                : Compare(ids, h) is { } c ? Results.File(System.Text.Encoding.UTF8.GetBytes(c.ToCsv()), "text/csv", "comparison.csv") : NotFound(string.Join(",", ids)))
            .WithName("compareRunsCsv")
            .WithSummary("The comparison as CSV, one line per run")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var sweeps = app.MapGroup("/api/sweeps").WithTags("Sweeps");
        sweeps.MapPost("/", async (JsonElement body, SweepService service, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (ReadSweep(body, out var bodyErrors) is not { } request)
                return Results.ValidationProblem(RunEndpoints.ToDictionary(bodyErrors), title: "Invalid sweep");
            var submission = await service.SubmitAsync(request, ownership.OwnerOf(user));
            if (submission.StorageUnavailable is { } storage) return RunEndpoints.StorageUnavailable(storage);
            if (submission.Refused is { } refused) return RunEndpoints.QueueRefused(refused);
            if (submission.Id is null) return Results.ValidationProblem(RunEndpoints.ToDictionary(submission.Errors), title: "Invalid sweep");
            return Results.Accepted($"/api/sweeps/{submission.Id}", service.View(submission.Id));
        })
        .WithName("createSweep")
        .Accepts<SweepRequest>("application/json")
        .WithSummary("Queue a sweep: one parameter over values × seeds, as one group of runs (its config may name a preset)")
        .Produces<SweepView>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .LimitedAs(LimitedAction.CreateRuns);
        sweeps.MapGet("/", (SweepService service) => service.List(SweepService.MaxListed))
            .WithName("listSweeps")
            .WithSummary($"The newest sweeps (at most {SweepService.MaxListed}), newest first");
        sweeps.MapGet("/{id}", Results<Ok<SweepView>, ProblemHttpResult> (string id, SweepService service) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : service.View(id) is { } view ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such sweep", detail: $"There is no sweep with id '{id}'."))
            .WithName("getSweep")
            .WithSummary("A sweep's runs and result: per value, the per-seed results with mean and std")
            .ProducesMalformedIdAndNotFound();
        sweeps.MapDelete("/{id}", (string id, bool? keepRuns, SweepService service, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (RunIds.Check(id) is { } bad) return RunIds.BadRequest(bad);
            return service.Delete(id, keepRuns ?? false, owner => ownership.MayChange(user, owner)) switch
            {
                SweepDeletion.Deleted => Results.NoContent(),
                SweepDeletion.NotYours => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your sweep",
                    detail: "Only the sweep's owner or an instructor may delete it."),
                SweepDeletion.StillGoing => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The sweep is still going", detail: "Cancel its runs first."),
                _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such sweep", detail: $"There is no sweep with id '{id}'."),
            };
        })
        .WithName("deleteSweep")
        .WithSummary("Delete a sweep and its runs (?keepRuns=true: only the group; its runs stay in the history). Class mode: its owner or an instructor")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesMalformedIdAndNotFound()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .LimitedAs(LimitedAction.Delete);
    }

    /// <summary>At most this many runs in one comparison (the page and the CSV stay readable; each costs a database read).</summary>
    public const int MaxCompared = 20;
    /// <summary>At most this many ids in one POST /api/runs/delete.</summary>
    public const int MaxIdsPerRequest = 1000;

    /// <summary>The distinct ids of runs=a,b,c in order, or null when the list is empty, too long or holds a malformed id.</summary>
    static string[]? CompareIds(string? runs)
    {
        if (string.IsNullOrWhiteSpace(runs) || runs.Length > 16 * 1024) return null;
        var ids = runs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        return ids.Length is >= 1 and <= MaxCompared && ids.All(id => RunIds.Problem(id) is null) ? ids : null;
    }

    static IResult CompareProblem() => Results.ValidationProblem(new Dictionary<string, string[]>
    {
        ["runs"] = [$"must list 1 to {MaxCompared} distinct run ids separated by commas, each 1-{RunIds.MaxLength} letters, digits, '-' or '_'"],
    }, title: "Invalid comparison");

    static RunComparison? Compare(string[] ids, RunHistory h)
    {
        var stored = ids.Select(h.Store.GetRun).ToArray();
        return stored.Length == 0 || stored.Any(r => r is null) ? null : new RunComparison(stored!);
    }

    /// <summary>Who owns a run, live or stored; null when it is unknown.</summary>
    static string? OwnerOf(string id, IRunRegistry registry, RunHistory h) => registry.Find(id)?.Owner ?? h.Store.GetSummary(id)?.Owner;

    static bool IsGoing(string id, IRunRegistry registry) => registry.Find(id) is { } run && !run.Events.IsComplete;

    static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such run", detail: $"There is no run with id '{id}'.");
    /// <summary>A sweep request whose config, like POST /api/runs's, may start from a preset.</summary>
    static SweepRequest? ReadSweep(JsonElement body, out IReadOnlyList<ConfigError> errors)
    {
        errors = [];
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors = [new("body", "must be a JSON object: config, param, values, seeds, name")];
            return null;
        }
        if (Api.ConfigBody.FirstDuplicate(body) is { } duplicate && !string.Equals(duplicate, "config", StringComparison.OrdinalIgnoreCase))
        {
            errors = [new(duplicate, "is given more than once")];
            return null;
        }
        var configs = body.EnumerateObject().Where(p => string.Equals(p.Name, "config", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (configs.Length > 1) { errors = [new("config", "is given more than once")]; return null; }
        if (configs.Length == 1 && configs[0].Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            errors = [new("config", "must be a JSON object of run config fields")];
            return null;
        }
        if (Api.ConfigBody.Read(configs.Length == 1 ? configs[0].Value : null, out errors) is not { } config) return null;
        var rest = JsonNode.Parse(body.GetRawText())!.AsObject();
        foreach (var key in rest.Select(p => p.Key).Where(k => string.Equals(k, "config", StringComparison.OrdinalIgnoreCase)).ToArray()) rest.Remove(key);
        try
        {
            return rest.Deserialize<SweepRequest>(EngineJson.Options)! with { Config = config };
        }
        catch (JsonException e)
        {
            errors = [Api.BadJson.ErrorOf(e, "body")];
            return null;
        }
    }

}
