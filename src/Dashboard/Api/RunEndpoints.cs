using System.Security.Claims;
using System.Text.Json;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContinualLearning.Dashboard.Api;

/// <summary>The REST API over the run queue. Configs are validated once, by the engine's ConfigValidator, at Submit.</summary>
public static class RunEndpoints
{
    public static void MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("Runs");

        runs.MapPost("/", async (JsonElement? body, IRunQueue queue, ClaimsPrincipal user, RunOwnership ownership) =>
        {
            // Missing fields keep the preset's values, or RunConfig's defaults (the seed) without one;
            // the API trains at full speed unless pace is given.
            if (ConfigBody.Read(body, out var bodyErrors, "body") is not { } config)
                return Results.ValidationProblem(ToDictionary(bodyErrors), title: "Invalid run configuration");
            var submission = await queue.SubmitAsync(config, ownership.OwnerOf(user));
            if (submission.StorageUnavailable is { } storage) return StorageUnavailable(storage);
            if (submission.Refused is { } refused) return QueueRefused(refused);
            if (!submission.Accepted) return Results.ValidationProblem(ToDictionary(submission.Errors), title: "Invalid run configuration");
            return Results.Accepted($"/api/runs/{submission.Run!.Id}", new RunCreated(submission.Run.Id));
        })
        .WithName("createRun")
        .Accepts<RunConfig>("application/json")
        .WithSummary("Queue a training run (\"preset\": NAME starts from a preset; the fields given override it)")
        .Produces<RunCreated>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .LimitedAs(LimitedAction.CreateRuns);

        runs.MapGet("/", (IRunRegistry registry, IRunQueue queue) => registry.All().Select(r => RunView.Of(r, queue)))
            .WithName("listRuns")
            .WithSummary("The runs in this server's memory, newest first: queued, running, and the most recent ended ones (every stored run: /api/history)");

        runs.MapGet("/{id}", Results<Ok<RunView>, ProblemHttpResult> (string id, IRunRegistry registry, IRunQueue queue, History.RunHistory history) =>
            RunIds.Check(id) is { } bad ? RunIds.BadRequest(bad)
            : registry.Find(id) is { } run ? TypedResults.Ok(RunView.Of(run, queue))
            : History.HistoryEndpoints.StoredView(history, id) is { } stored ? TypedResults.Ok(stored) : NotFound(id))
            .WithName("getRun")
            .WithSummary("One run: status, config, and result once finished; while queued its queuePosition (in the fair start order) and estimatedWaitSeconds")
            .ProducesMalformedIdAndNotFound();

        runs.MapPost("/{id}/cancel", (string id, IRunRegistry registry, IRunQueue queue, ClaimsPrincipal user, RunOwnership ownership) =>
            RunIds.Check(id) is null && registry.Find(id) is { } found && !ownership.MayChange(user, found.Owner) ? Task.FromResult(Forbidden("cancel"))
            : Control(id, registry, queue, queue.CancelAsync))
            .WithName("cancelRun")
            .WithSummary("Cancel a queued or running run (class mode: its owner or an instructor)")
            .ProducesRunControl()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        // Retired: a run always trains at full speed; pace and pause belong to each viewer. 410 names the replacement.
        foreach (var (action, name) in new[] { ("pause", "pauseRun"), ("resume", "resumeRun"), ("pace", "setRunPace") })
            runs.MapPost($"/{{id}}/{action}", () => Retired(action))
                .WithName(name)
                .WithSummary($"Retired (410 Gone): training no longer {(action == "pace" ? "takes a pace" : "pauses")}; each viewer has its own pace and pause")
                .WithDescription("A run always trains at full speed. Pace, pause, step and seek are properties of each viewer: the live page's " +
                    "timeline, or the hub's WatchFrom(runId, pace, fromSeq) at /hubs/training. A config's pace is the default pace of its viewers.")
                .ProducesProblem(StatusCodes.Status410Gone);
    }

    /// <summary>410 Gone for the retired run controls, naming what replaces them.</summary>
    static IResult Retired(string action) => Results.Problem(statusCode: StatusCodes.Status410Gone, title: $"POST /api/runs/{{id}}/{action} is retired",
        detail: "A run always trains at full speed; pace and pause belong to each viewer. Use the live page's timeline, or the hub " +
            "/hubs/training: WatchFrom(runId, pace, fromSeq) plays a run's events at a pace of your own.");

    /// <summary>OpenAPI: 400 for a malformed id (ProblemDetails), 404 for an unknown one.</summary>
    public static RouteHandlerBuilder ProducesMalformedIdAndNotFound(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>OpenAPI of cancel: the run after the change, or why not (bad id, unknown, already ended).</summary>
    static RouteHandlerBuilder ProducesRunControl(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<RunView>().ProducesMalformedIdAndNotFound().ProducesProblem(StatusCodes.Status409Conflict);

    static async Task<IResult> Control(string id, IRunRegistry registry, IRunQueue queue, Func<TrainingRun, Task> act)
    {
        if (RunIds.Check(id) is { } bad) return RunIds.BadRequest(bad);
        if (registry.Find(id) is not { } run) return NotFound(id);
        if (run.Events.IsComplete)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The run has ended", detail: $"Run {id} is {run.Status.ToString().ToLowerInvariant()}.");
        await act(run);
        return Results.Ok(RunView.Of(run, queue));
    }

    /// <summary>429: the run queue is full, or the owner already has their quota of waiting runs; the detail says which and how many.</summary>
    public static IResult QueueRefused(QueueRefusal refusal) => Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
        title: refusal.Limit == QueueLimit.OwnerQuota ? "You have as many runs waiting as you may" : "The run queue is full",
        detail: refusal.Message);

    /// <summary>403: the caller does not own the run (class mode) and is not an instructor.</summary>
    public static IResult Forbidden(string what) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your run", detail: RunOwnership.Refusal(what));

    /// <summary>503 with Retry-After: the run database cannot be written, so nothing was queued.</summary>
    public static IResult StorageUnavailable(string reason) => new RetryLater(
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The run database cannot be written", detail: reason));

    sealed class RetryLater(IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.RetryAfter = "30";
            return problem.ExecuteAsync(context);
        }
    }

    /// <summary>404 for an id of the right shape (so echoing it back stays short).</summary>
    static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such run", detail: $"There is no run with id '{id}'.");

    public static Dictionary<string, string[]> ToDictionary(IEnumerable<ConfigError> errors) =>
        ConfigErrors.Bounded([.. errors]).GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}
