using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ContinualLearning.Engine;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>A server in class mode: an instructor key is configured, so every visitor owns their runs.</summary>
public sealed class ClassServer() : DashboardServer(null, new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = Key })
{
    public const string Key = "moderate-the-class-2026";
}

/// <summary>What the classroom tests do over REST: visitors (HttpClients with their own cookie jar), sign-in, runs.</summary>
public static partial class Classroom
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>A short run that finishes in a moment.</summary>
    public static readonly object ShortRun = new { iterationsPerTask = 6, evalEvery = 3 };

    /// <summary>A client without a cookie jar: each request is a new anonymous visitor unless it sends a token.</summary>
    public static HttpClient WithoutCookies(DashboardServer server) => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };

    public static async Task<string> VisitorId(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetString()!;

    public static async Task<string> Start(HttpClient http, object config)
    {
        var response = await http.PostAsJsonAsync("/api/runs", config, EngineJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Waits (polling, bounded) until the run's end is in the database.</summary>
    public static async Task WaitStored(HttpClient http, string id)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (true)
        {
            var list = await http.GetFromJsonAsync<JsonElement>("/api/history", limit.Token);
            if (list.EnumerateArray().Any(r => r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() is "finished" or "failed" or "cancelled")) return;
            await Task.Delay(100, limit.Token); // poll interval while waiting on a condition
        }
    }

    /// <summary>Posts the /instructor form as a browser would: its antiforgery token and handler name from the page, then the key.</summary>
    public static async Task<HttpResponseMessage> SignInAsInstructor(HttpClient http, string key)
    {
        var page = await http.GetStringAsync("/instructor");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the instructor page has no sign-in form with an antiforgery token");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "instructor-sign-in",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Key"] = key,
        });
        return await http.PostAsync("/instructor", form);
    }

    public static async Task<string> Detail(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
