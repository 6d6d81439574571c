using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ContinualLearning.History.Tests;

/// <summary>Issue 8: sweep names follow the run-name rule, sweeps can be deleted, sweeps too big for the queue are a 400.</summary>
public class SweepLimitsTests
{
    static async Task<string> FinishedSweep(HttpClient http, string name)
    {
        var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { iterationsPerTask = 2, evalEvery = 2 }, seeds = 2, name });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Api.WaitFor(http, $"/api/sweeps/{id}", s => s.GetProperty("status").GetString() == "finished");
        return id;
    }

    static int RunsOf(JsonElement history, string sweepId) =>
        history.EnumerateArray().Count(r => r.TryGetProperty("sweepId", out var s) && s.GetString() == sweepId);

    [Fact]
    public async Task DeletingASweepTakesItsRunsUnlessAskedToKeepThem()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var withRuns = await FinishedSweep(http, "  lr check  ");
        var keep = await FinishedSweep(http, "keep my runs");
        Assert.Equal("lr check", (await Api.Get(http, $"/api/sweeps/{withRuns}")).GetProperty("name").GetString());
        int before = (await Api.Get(http, "/api/history")).GetArrayLength();

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/sweeps/{withRuns}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/sweeps/{withRuns}")).StatusCode);
        Assert.Equal(before - 2, (await Api.Get(http, "/api/history")).GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/sweeps/{keep}?keepRuns=true")).StatusCode);
        var history = await Api.Get(http, "/api/history");
        Assert.Equal(before - 2, history.GetArrayLength()); // its two runs stay, no longer tagged
        Assert.Equal(0, RunsOf(history, keep));
        Assert.DoesNotContain((await Api.Get(http, "/api/sweeps")).EnumerateArray(), s => s.GetProperty("id").GetString() == keep);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/sweeps/{keep}")).StatusCode);
    }

    [Fact]
    public async Task SweepNamesFollowTheRunNameRuleAndOversizedSweepsAreA400()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        foreach (var name in new[] { new string('x', 201), "a\nb", "   " })
        {
            var response = await http.PostAsJsonAsync("/api/sweeps", new { values = new[] { 0.1 }, name });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
        }
        // 33 runs can never fit a queue of 32: a 400 naming values, not a 429 for ever.
        var tooMany = await http.PostAsJsonAsync("/api/sweeps", new { param = "learningRate", values = Enumerable.Range(1, 33).Select(i => i / 1000.0), seeds = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("queue", (await tooMany.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("values")[0].GetString());
        Assert.Empty((await Api.Get(http, "/api/history")).EnumerateArray());
    }
}
