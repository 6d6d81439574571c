using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ContinualLearning.Dashboard.Api;

/// <summary>A body that is not a RunConfig (e.g. "batchSize": "x") gets a 400 naming the field, like validation errors.</summary>
public static class BadJson
{
    public static void NameTheField(ProblemDetailsContext context)
    {
        if (context.Exception is not BadHttpRequestException { InnerException: JsonException json }) return;
        var field = json.Path is ['$', '.', .. var name] && name.Length > 0 ? name : "body";
        var reason = json.Message.Split(" Path:")[0];
        context.ProblemDetails.Title = "Invalid run configuration";
        context.ProblemDetails.Detail = null;
        context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [$"is not a valid value: {reason}"] };
    }
}
