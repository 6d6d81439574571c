using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinualLearning.Dashboard.Api;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;

namespace ContinualLearning.Dashboard.Class;

/// <summary>
/// REST for class experiments: publish and close (the instructor), read and export (anyone with the id), join (anyone:
/// their run, under their identity, counted against their limits like any run they start).
/// </summary>
public static class ClassEndpoints
{
    public static IServiceCollection AddClassExperiments(this IServiceCollection services) => services.AddSingleton<ClassExperiments>().AddScoped<BoardRuns>();

    /// <summary>
    /// The board is the instructor's: loading /class as anyone else answers 403 with a short page saying how to sign in
    /// (the board itself checks again, for navigation inside the app).
    /// </summary>
    public static IApplicationBuilder UseClassBoardGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals("/class", StringComparison.OrdinalIgnoreCase)
            && !context.RequestServices.GetRequiredService<RunOwnership>().MayRunTheClass(context.User))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Class board · instructor only</title></head>
                <body><main><h1>Class board</h1><p data-testid="class-forbidden">Only the instructor may open the class board:
                <a href="/instructor">sign in as instructor</a> with the instructor key, or go back to the <a href="/">designer</a>.</p></main></body></html>
                """);
            return;
        }
        await next(context);
    });

    public static void MapClassEndpoints(this IEndpointRouteBuilder app)
    {
        var experiments = app.MapGroup("/api/class/experiments").WithTags("Class");

        experiments.MapPost("/", (JsonElement body, ClassExperiments service, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (!ownership.MayRunTheClass(user)) return NotInstructor();
            if (ReadPublish(body, out var bodyErrors) is not { } request) return Invalid(bodyErrors, "Invalid class experiment");
            var outcome = service.Publish(request, ownership.OwnerOf(user));
            return outcome.Value is { } view ? Results.Created(view.JoinPath, view) : Answer(outcome, "Invalid class experiment");
        })
        .WithName("publishClassExperiment")
        .Accepts<PublishRequest>("application/json")
        .WithSummary("Publish a class experiment (instructor): a fixed config (it may name a preset), one free parameter (default replayRatio) and its range min..max in steps")
        .WithDescription("Students join at the returned joinPath (/class/{id}) or with POST /api/class/experiments/{id}/runs. Errors name the field: config fields, param, min, max, step, name.")
        .Produces<ExperimentView>(StatusCodes.Status201Created)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        experiments.MapGet("/", (ClassExperiments service, ClaimsPrincipal user, RunOwnership ownership) =>
            !ownership.MayRunTheClass(user) ? NotInstructor()
            : Results.Ok(service.List().Select(e => service.View(e.Id)).OfType<ExperimentView>().ToArray()))
            .WithName("listClassExperiments")
            .WithSummary($"The newest class experiments (instructor; at most {ClassExperiments.MaxListed}), newest first")
            .Produces<ExperimentView[]>()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        experiments.MapGet("/{id}", (string id, ClassExperiments service) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : service.View(id) is { } view ? Results.Ok(view) : NotFound(id))
            .WithName("getClassExperiment")
            .WithSummary("A class experiment: its fixed config, the free parameter and range, every run with its value and (once finished) its final task-1 accuracy, average accuracy and forgetting, and the mean per value")
            .Produces<ExperimentView>()
            .ProducesMalformedIdAndNotFound();

        experiments.MapGet("/{id}/csv", (string id, ClassExperiments service) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : service.View(id) is { } view ? Results.File(System.Text.Encoding.UTF8.GetBytes(ClassExperiments.Csv(view)), "text/csv", $"class-experiment-{id}.csv")
            : NotFound(id))
            .WithName("getClassExperimentCsv")
            .WithSummary("A class experiment's runs as CSV, one line per run: run id, student, value, status and the finished runs' metrics")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesMalformedIdAndNotFound();

        experiments.MapPost("/{id}/runs", async (string id, JoinRequest request, ClassExperiments service, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (RunIds.Check(id) is { } bad) return RunIds.BadRequest(bad);
            var outcome = await service.JoinAsync(id, request.Value, ownership.OwnerOf(user));
            return outcome.Value is { } joined ? Results.Accepted(joined.RunPath, joined) : Answer(outcome, "Invalid value");
        })
        .WithName("joinClassExperiment")
        .Accepts<JoinRequest>("application/json")
        .WithSummary("Train a run in a class experiment with the caller's value of its free parameter (anyone; the run is the caller's)")
        .Produces<JoinedRun>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .LimitedAs(LimitedAction.CreateRuns);

        experiments.MapPost("/{id}/close", (string id, ClassExperiments service, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            if (RunIds.Check(id) is { } bad) return RunIds.BadRequest(bad);
            if (!ownership.MayRunTheClass(user)) return NotInstructor();
            var outcome = service.Close(id);
            return outcome.Value is { } view ? Results.Ok(view) : Answer(outcome, "Cannot close");
        })
        .WithName("closeClassExperiment")
        .WithSummary("Close a class experiment to new runs (instructor); runs already going still land on its curve")
        .Produces<ExperimentView>()
        .ProducesMalformedIdAndNotFound()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    static IResult Answer<T>(ClassOutcome<T> outcome, string invalidTitle) where T : class => outcome.Status switch
    {
        400 => Invalid(outcome.Errors, invalidTitle),
        503 => RunEndpoints.StorageUnavailable(outcome.Detail ?? ""),
        _ => Results.Problem(statusCode: outcome.Status, title: outcome.Title, detail: outcome.Detail),
    };

    static IResult Invalid(IEnumerable<ConfigError> errors, string title) => Results.ValidationProblem(RunEndpoints.ToDictionary(errors), title: title);

    static IResult NotInstructor() => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not the instructor", detail: ClassAccess.Refusal);

    static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such class experiment", detail: $"There is no class experiment with id '{id}'.");

    /// <summary>A publish request whose config, like POST /api/runs's, may start from a preset; errors name the field.</summary>
    static PublishRequest? ReadPublish(JsonElement body, out IReadOnlyList<ConfigError> errors)
    {
        errors = [];
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors = [new("body", "must be a JSON object: config, param, min, max, step, name")];
            return null;
        }
        if (ConfigBody.FirstDuplicate(body) is { } duplicate && !string.Equals(duplicate, "config", StringComparison.OrdinalIgnoreCase))
        {
            errors = [new(duplicate, "is given more than once")];
            return null;
        }
        var configs = body.EnumerateObject().Where(p => string.Equals(p.Name, "config", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (configs.Length > 1) { errors = [new("config", "is given more than once")]; return null; }
        if (ConfigBody.Read(configs.Length == 1 ? configs[0].Value : null, out errors) is not { } config) return null;
        var rest = JsonNode.Parse(body.GetRawText())!.AsObject();
        foreach (var key in rest.Select(p => p.Key).Where(k => string.Equals(k, "config", StringComparison.OrdinalIgnoreCase)).ToArray()) rest.Remove(key);
        try
        {
            return rest.Deserialize<PublishRequest>(EngineJson.Options)! with { Config = config };
        }
        catch (JsonException e)
        {
            errors = [BadJson.ErrorOf(e, "body")];
            return null;
        }
    }
}
