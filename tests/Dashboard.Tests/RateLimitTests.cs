using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static ContinualLearning.Dashboard.Tests.Classroom;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>Abuse limits (class mode): per visitor and per client address; 429 with Retry-After and a sentence.</summary>
public sealed class RateLimitTests
{
    /// <summary>Small limits and an hour's window, so no window ends while the test runs.</summary>
    static DashboardServer SmallLimits() => DashboardServer.Start(settings: new Dictionary<string, string>
    {
        ["ContinualLearning:InstructorKey"] = ClassServer.Key,
        ["ContinualLearning:RateLimits:WindowSeconds"] = "3600",
        ["ContinualLearning:RateLimits:RunCreations"] = "2",
        ["ContinualLearning:RateLimits:Deletes"] = "1",
        ["ContinualLearning:RateLimits:PerAddressFactor"] = "2",
    });

    [Fact]
    public async Task Run_creation_is_limited_per_visitor_then_per_address_over_REST_and_the_hub()
    {
        await using var server = SmallLimits();
        using var alice = server.Http();
        // Invalid bodies count too: the measured abuse was 1,583 invalid POSTs a second.
        for (int i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsJsonAsync("/api/runs", new { batchSize = 0 })).StatusCode);
        var limited = await alice.PostAsJsonAsync("/api/runs", new { batchSize = 0 });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 3600);
        Assert.Contains("Too many runs or sweeps started: at most 2 per 3600 s", await Detail(limited));
        var sweep = await alice.PostAsJsonAsync("/api/sweeps", new { values = new[] { 0.1 } });
        Assert.Equal(HttpStatusCode.TooManyRequests, sweep.StatusCode);

        // A client that drops its cookie is a new visitor on every request, but its address has 2 × 2 creations in all.
        using var anonymous = WithoutCookies(server);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++) statuses.Add((await anonymous.PostAsJsonAsync("/api/runs", new { batchSize = 0 })).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s != HttpStatusCode.TooManyRequests) <= 2, string.Join(", ", statuses));

        await using var hub = server.Hub();
        await hub.StartAsync();
        var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("Start", new { }));
        Assert.Contains("Too many runs or sweeps started", error.Message);
    }

    [Fact]
    public async Task Deletes_and_renames_are_limited_and_other_requests_are_not()
    {
        await using var server = SmallLimits();
        using var alice = server.Http();
        Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync("/api/runs/nosuchrun")).StatusCode);
        var limited = await alice.PostAsJsonAsync("/api/runs/delete", new { ids = new[] { "nosuchrun" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("Too many deletions", await Detail(limited));
        // Reading is never limited.
        for (int i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/history")).StatusCode);
    }

    [Fact]
    public async Task Personal_mode_has_no_limits()
    {
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:RateLimits:RunCreations"] = "1" });
        using var http = server.Http();
        for (int i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync("/api/runs", new { batchSize = 0 })).StatusCode);
    }
}
