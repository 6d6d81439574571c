using System.Text.Json.Nodes;
using ContinualLearning.Dashboard.Runs;
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

        runs.MapPost("/", (JsonNode? body, RunQueue queue) =>
        {
            // Missing fields keep the preset's values, or RunConfig's defaults (the seed) without one;
            // the API trains at full speed unless pace is given.
            if (ConfigBody.Read(body, out var bodyErrors) is not { } config)
                return Results.ValidationProblem(ToDictionary(bodyErrors), title: "Invalid run configuration");
            var submission = queue.Submit(config);
            if (submission.StorageUnavailable is { } storage) return StorageUnavailable(storage);
            if (submission.QueueFull)
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "The run queue is full",
                    detail: $"{queue.Capacity} runs are already waiting; try again when one has started.");
            if (!submission.Accepted) return Results.ValidationProblem(ToDictionary(submission.Errors), title: "Invalid run configuration");
            return Results.Accepted($"/api/runs/{submission.Run!.Id}", new RunCreated(submission.Run.Id));
        })
        .Accepts<RunConfig>("application/json")
        .WithSummary("Queue a training run (\"preset\": NAME starts from a preset; the fields given override it)")
        .Produces<RunCreated>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        runs.MapGet("/", (IRunRegistry registry, RunQueue queue) => registry.All().Select(r => RunView.Of(r, queue)))
            .WithSummary("The runs in this server's memory, newest first: queued, running, and the most recent ended ones (every stored run: /api/history)");

        runs.MapGet("/{id}", Results<Ok<RunView>, ProblemHttpResult> (string id, IRunRegistry registry, RunQueue queue, History.RunHistory history) =>
            registry.Find(id) is { } run ? TypedResults.Ok(RunView.Of(run, queue))
            : History.HistoryEndpoints.StoredView(history, id) is { } stored ? TypedResults.Ok(stored) : NotFound(id))
            .WithSummary("One run: status, config, and result once finished");

        runs.MapPost("/{id}/cancel", (string id, IRunRegistry registry, RunQueue queue) =>
            Control(id, registry, queue, run => queue.Cancel(run)))
            .WithSummary("Cancel a queued or running run");

        runs.MapPost("/{id}/pause", (string id, IRunRegistry registry, RunQueue queue) =>
            Control(id, registry, queue, run => run.Control.Pause()))
            .WithSummary("Pause a run between batches");

        runs.MapPost("/{id}/resume", (string id, IRunRegistry registry, RunQueue queue) =>
            Control(id, registry, queue, run => run.Control.Resume()))
            .WithSummary("Resume a paused run");

        runs.MapPost("/{id}/pace", (string id, PaceRequest request, IRunRegistry registry, RunQueue queue) =>
        {
            var errors = ConfigValidator.Validate(new RunConfig { Pace = request.Pace }).Where(e => e.Field == "pace").ToArray();
            if (errors.Length > 0) return Results.ValidationProblem(ToDictionary(errors));
            return Control(id, registry, queue, run => run.Control.Pace = request.Pace);
        })
        .WithSummary("Change a run's pace (steps per second, 0 = full speed) while it trains");
    }

    static IResult Control(string id, IRunRegistry registry, RunQueue queue, Action<TrainingRun> act)
    {
        if (registry.Find(id) is not { } run) return NotFound(id);
        if (run.Events.IsComplete)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The run has ended", detail: $"Run {id} is {run.Status.ToString().ToLowerInvariant()}.");
        act(run);
        return Results.Ok(RunView.Of(run, queue));
    }

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

    static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such run", detail: $"There is no run with id '{id}'.");

    public static Dictionary<string, string[]> ToDictionary(IEnumerable<ConfigError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}
