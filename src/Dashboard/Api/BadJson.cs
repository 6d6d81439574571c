using System.Text.Json;
using System.Text.RegularExpressions;
using ContinualLearning.Engine.Config;
using Microsoft.AspNetCore.Http;

namespace ContinualLearning.Dashboard.Api;

/// <summary>A body that is not a RunConfig (e.g. "batchSize": "x") gets a 400 naming the field, like validation errors.</summary>
public static partial class BadJson
{
    public static void NameTheField(ProblemDetailsContext context)
    {
        if (context.Exception is not BadHttpRequestException { InnerException: JsonException json }) return;
        var error = ErrorOf(json, "body");
        context.ProblemDetails.Title = "Invalid request body";
        context.ProblemDetails.Detail = null;
        context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [error.Field] = [error.Message] };
    }

    /// <summary>
    /// The field a JSON error is about (the top-level property of its path: "hiddenSizes" for $.hiddenSizes[0]) and a
    /// short reason without the serializer's type names. Duplicate keys are reported at "$", named only in the message.
    /// </summary>
    public static ConfigError ErrorOf(JsonException e, string fallback)
    {
        var reason = e.Message.Split(" Path:")[0];
        if (DuplicateProperty().Match(reason) is { Success: true } duplicate)
            return new(duplicate.Groups[1].Value, "is given more than once");
        var field = e.Path is { } path && TopLevelProperty().Match(path) is { Success: true } m ? m.Groups[1].Value : fallback;
        // "The JSON value could not be converted to System.Int32": say what was expected, not which .NET type.
        reason = TypeName().Replace(reason, t => t.Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" => "a number",
            "System.String" => "text",
            _ => "a value of the right kind",
        });
        return new(field, $"is not a valid value: {reason}");
    }

    [GeneratedRegex(@"^Duplicate property '([^']{1,80})'")]
    private static partial Regex DuplicateProperty();
    [GeneratedRegex(@"^\$\.([A-Za-z0-9_]{1,80})")]
    private static partial Regex TopLevelProperty();
    [GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\]]+")]
    private static partial Regex TypeName();
}
