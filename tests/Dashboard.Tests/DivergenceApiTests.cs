using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>A run that diverges, sent through REST, ends failed with a plain sentence, and its events still serve as JSON.</summary>
public sealed class DivergenceApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    [Fact]
    public async Task A_diverging_run_ends_failed_with_a_sentence_and_its_events_stay_valid_json()
    {
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", new { strategy = "si", siC = 1e6, learningRate = 10, momentum = 0.99 });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await server.Run(id).Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var view = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("failed", view.GetProperty("status").GetString());
        var error = view.GetProperty("error").GetString()!;
        Assert.StartsWith("Training diverged at step", error);
        Assert.DoesNotContain("/", error);
        Assert.DoesNotContain("libtorch", error);
        Assert.DoesNotContain(".so", error);

        var events = await http.GetAsync($"/api/runs/{id}/events");
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        using var json = JsonDocument.Parse(await events.Content.ReadAsStringAsync());
        var kinds = json.RootElement.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToArray();
        Assert.Equal("failed", kinds[^1]);
        Assert.Single(kinds, k => k is "finished" or "failed" or "cancelled");
    }
}
