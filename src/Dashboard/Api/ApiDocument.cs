using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// What the OpenAPI document says beyond the endpoints themselves, for people who generate clients: what each tag
/// groups, and server URLs without a trailing slash (paths already start with one). There is no authentication yet,
/// so the document declares no security scheme.
/// </summary>
public static class ApiDocument
{
    static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Runs"] = "Queue training runs and cancel them. Runs train at full speed; pace and pause are per viewer (the hub's WatchFrom), so /pause, /resume and /pace answer 410 Gone.",
        ["History"] = "Stored runs: the list, a run's events, names, deletion and comparisons (JSON and CSV).",
        ["Sweeps"] = "One config parameter over several values × seeds, queued as one group of runs.",
        ["Class"] = "Class experiments: the instructor publishes a fixed config with one free parameter; students join with their value and train; the class's curve and its CSV export.",
    };

    /// <summary>Operations kept only to answer 410 Gone with their replacement: marked deprecated in the document.</summary>
    public static readonly string[] RetiredOperations = ["pauseRun", "resumeRun", "setRunPace"];

    public static OpenApiOptions DescribeApi(this OpenApiOptions options) => options.AddOperationTransformer((operation, _, _) =>
    {
        if (operation.OperationId is { } id && RetiredOperations.Contains(id)) operation.Deprecated = true;
        return Task.CompletedTask;
    }).AddDocumentTransformer((document, _, _) =>
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var (name, description) in TagDescriptions)
        {
            if (document.Tags.FirstOrDefault(t => t.Name == name) is { } tag) tag.Description = description;
            else document.Tags.Add(new OpenApiTag { Name = name, Description = description });
        }
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        return Task.CompletedTask;
    });
}
