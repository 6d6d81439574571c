using System.Text.Json;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The served OpenAPI document is usable by client generators: named operations, documented refusals, schemas.</summary>
public sealed class OpenApiDocumentTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    async Task<List<(string Method, string Path, JsonElement Operation)>> Operations()
    {
        using var http = server.Http();
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.Clone();
        return document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => Methods.Contains(op.Name)).Select(op => (op.Name, path.Name, op.Value)))
            .ToList();
    }

    [Fact]
    public async Task Every_operation_has_a_unique_operation_id()
    {
        var operations = await Operations();
        Assert.NotEmpty(operations);
        var ids = operations.Select(o => o.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToArray();
        Assert.All(operations.Zip(ids), pair => Assert.False(string.IsNullOrEmpty(pair.Second), $"{pair.First.Method} {pair.First.Path} has no operationId"));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task Every_operation_that_takes_input_documents_a_400_or_404_and_every_operation_a_success()
    {
        foreach (var (method, path, operation) in await Operations())
        {
            var responses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToArray();
            if (operation.TryGetProperty("deprecated", out var deprecated) && deprecated.GetBoolean())
            {
                // A retired route is kept only to say where its function went (and, a write, still refuses cross-site calls).
                Assert.Contains("410", responses);
                Assert.DoesNotContain(responses, r => r.StartsWith('2'));
                continue;
            }
            Assert.True(responses.Any(r => r.StartsWith('2')), $"{method} {path} documents no success answer");
            bool takesInput = operation.TryGetProperty("parameters", out var parameters) && parameters.GetArrayLength() > 0
                || operation.TryGetProperty("requestBody", out _);
            if (takesInput) Assert.True(responses.Contains("400") || responses.Contains("404"), $"{method} {path} takes input but documents neither 400 nor 404");
        }
    }

    [Fact]
    public async Task The_comparison_documents_its_body_and_the_run_controls_their_refusals()
    {
        var operations = (await Operations()).ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!);
        var compare = operations["compareRuns"].Operation.GetProperty("responses");
        Assert.True(compare.GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _));
        Assert.Equal(["200", "400", "403", "404", "409", "415"], operations["cancelRun"].Operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.Equal(["202", "400", "403", "415", "429", "503"], operations["createSweep"].Operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        // Pace and pause are per viewer now: the old run controls are deprecated, answer 410 and name the hub's WatchFrom.
        foreach (var retired in new[] { "pauseRun", "resumeRun", "setRunPace" })
        {
            var operation = operations[retired].Operation;
            Assert.True(operation.GetProperty("deprecated").GetBoolean(), retired);
            Assert.Equal(["403", "410", "415"], operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
            Assert.Contains("WatchFrom", operation.GetProperty("description").GetString());
        }
    }
}
