using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;

namespace ContinualLearning.History.Tests;

/// <summary>Small REST helpers: start runs, wait for a condition by polling the API (never by sleeping a fixed time).</summary>
public static class Api
{
    public static async Task<string> StartRun(HttpClient http, object config)
    {
        var response = await http.PostAsJsonAsync("/api/runs", config, EngineJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> Get(HttpClient http, string path) =>
        await http.GetFromJsonAsync<JsonElement>(path);

    public static async Task<JsonElement> WaitFor(HttpClient http, string path, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var response = await http.GetAsync(path, limit.Token);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(limit.Token);
                if (done(body)) return body;
            }
            await Task.Delay(100, limit.Token); // poll interval while waiting on a condition
        }
    }

    public static Task<JsonElement> WaitForStatus(HttpClient http, string runId, string status) =>
        WaitFor(http, $"/api/runs/{runId}", r => r.GetProperty("status").GetString() == status);

    /// <summary>Waits until the run's terminal event is in the database (recording trails the run by a flush).</summary>
    public static Task<JsonElement> WaitStored(HttpClient http, string runId) =>
        WaitFor(http, "/api/history", list => list.EnumerateArray().Any(r => r.GetProperty("id").GetString() == runId
            && r.GetProperty("status").GetString() is "finished" or "failed" or "cancelled"));
}
