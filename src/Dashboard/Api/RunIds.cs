using ContinualLearning.Engine.Config;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// The shape of run and sweep ids (12 hex digits today; letters, digits, '-' and '_', at most 64), checked before any
/// lookup so a megabyte "id" is never searched for, logged or echoed back.
/// </summary>
public static class RunIds
{
    public const int MaxLength = 64;

    /// <summary>What is wrong with an id, or null when it has the shape of one.</summary>
    public static string? Problem(string? id) => id switch
    {
        null or "" => "must be given",
        { Length: > MaxLength } => $"must be at most {MaxLength} characters",
        _ when !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') => "may only contain letters, digits, '-' and '_'",
        _ => null,
    };

    public static ConfigError? Check(string? id, string field = "id") => Problem(id) is { } problem ? new(field, problem) : null;

    /// <summary>The 400 for a malformed id, naming the field.</summary>
    public static ProblemHttpResult BadRequest(ConfigError error, string title = "Invalid id") =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [error.Field] = [error.Message] } });
}
