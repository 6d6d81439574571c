using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// Cross-site requests cannot change state or open live connections; API writes must be JSON; every response carries
/// the security headers. "Foreign" is what a browser on another site's page sends: an Origin that is not this server.
/// </summary>
public sealed class SecurityTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    const string Evil = "http://evil.example";
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    string Own => server.BaseAddress.GetLeftPart(UriPartial.Authority);

    static HttpRequestMessage Post(string path, HttpContent? content, string? origin = null, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    static HttpContent Form() => new FormUrlEncodedContent([]);
    static HttpContent Json() => JsonContent.Create(new { });

    [Fact]
    public async Task A_cross_site_form_post_cannot_cancel_a_running_run_and_the_json_request_can()
    {
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", LongRun.Body);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var run = server.Run(id);
        await foreach (var _ in run.Events.ReadAllAsync()) break; // started

        // What a foreign page's <form method=post> sends, and what its no-cors fetch sends (no content type at all).
        var form = await http.SendAsync(Post($"/api/runs/{id}/cancel", Form(), origin: Evil, fetchSite: "cross-site"));
        var noCors = await http.SendAsync(Post($"/api/runs/{id}/cancel", null, origin: Evil, fetchSite: "cross-site"));
        var foreignJson = await http.SendAsync(Post($"/api/runs/{id}/pause", Json(), origin: Evil));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noCors.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreignJson.StatusCode);
        Assert.False(run.Control.IsCancellationRequested);

        var problem = await form.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Cross-site request refused", problem.GetProperty("title").GetString());
        Assert.Contains(Evil, problem.GetProperty("detail").GetString());
        Assert.Equal("application/problem+json", form.Content.Headers.ContentType?.MediaType);

        // The dashboard's own origin with JSON is a normal cancel.
        var cancel = await http.SendAsync(Post($"/api/runs/{id}/cancel", Json(), origin: Own, fetchSite: "same-origin"));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await run.Completion.WaitAsync(Patience);
        Assert.Equal(RunStatus.Cancelled, run.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    [InlineData("text/plain")]
    public async Task An_api_write_that_is_not_json_is_a_415_naming_the_content_type_rule(string? contentType)
    {
        using var http = server.Http();
        HttpContent? content = contentType is null ? null : new StringContent("{}", Encoding.UTF8, contentType);
        var response = await http.SendAsync(Post("/api/runs/nope/cancel", content, origin: Own));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Content-Type: application/json", problem.GetProperty("detail").GetString());
        // The same request as JSON passes the guard and reaches the endpoint, which does not know the run.
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Post("/api/runs/nope/cancel", Json(), origin: Own))).StatusCode);
    }

    [Fact]
    public async Task Every_write_route_refuses_a_foreign_origin_and_a_run_submitted_cross_site_is_never_queued()
    {
        using var http = server.Http();
        var before = server.Services.GetService<Runs.IRunRegistry>()!.All().Count();
        var writes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/runs"), (HttpMethod.Post, "/api/runs/x/cancel"), (HttpMethod.Post, "/api/runs/x/pause"),
            (HttpMethod.Post, "/api/runs/x/resume"), (HttpMethod.Post, "/api/runs/x/pace"), (HttpMethod.Put, "/api/runs/x/name"),
            (HttpMethod.Delete, "/api/runs/x"), (HttpMethod.Post, "/api/runs/delete"), (HttpMethod.Post, "/api/sweeps"),
        };
        foreach (var (method, path) in writes)
        {
            var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Delete ? null : JsonContent.Create(new { iterationsPerTask = 2 }) };
            request.Headers.Add("Origin", Evil);
            var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
        }
        Assert.Equal(before, server.Services.GetService<Runs.IRunRegistry>()!.All().Count());
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")] // another port of the same host is another origin
    public async Task A_browser_request_without_origin_that_says_it_crossed_sites_is_refused(string fetchSite)
    {
        using var http = server.Http();
        var response = await http.SendAsync(Post("/api/runs/nope/cancel", Json(), fetchSite: fetchSite));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Clients_that_are_not_browsers_send_no_origin_and_keep_working()
    {
        using var http = server.Http();
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/runs/nope/cancel", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/api/runs/nope")).StatusCode); // DELETE needs no body type

        await using var hub = server.Hub();
        await hub.StartAsync();
        var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Cancel", "nope"));
        Assert.Contains("nope", error.Message);
    }

    [Theory]
    [InlineData("/hubs/training/negotiate?negotiateVersion=1")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    public async Task Negotiation_with_a_foreign_origin_is_a_403_and_with_our_own_a_200(string path)
    {
        using var http = server.Http();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post(path, null, origin: Evil))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post(path, null, origin: "null"))).StatusCode); // sandboxed frames
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Post(path, null, origin: Own))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Post(path, null))).StatusCode);
    }

    [Theory]
    [InlineData("/hubs/training")]
    [InlineData("/_blazor")]
    public async Task A_websocket_from_a_foreign_origin_is_refused_before_the_upgrade(string path)
    {
        var url = new UriBuilder(new Uri(server.BaseAddress, path)) { Scheme = "ws" }.Uri;

        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", Evil);
        foreign.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(url, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);

        if (path != "/hubs/training") return; // the circuit needs its negotiated id; the hub accepts a direct WebSocket
        using var own = new ClientWebSocket();
        own.Options.SetRequestHeader("Origin", Own);
        await own.ConnectAsync(url, CancellationToken.None);
        Assert.Equal(WebSocketState.Open, own.State);
        await own.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/history")]
    [InlineData("/api/runs")]
    [InlineData("/healthz")]
    public async Task Pages_and_the_api_carry_the_security_headers(string path)
    {
        using var http = server.Http();
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task A_refusal_carries_the_security_headers_too()
    {
        using var http = server.Http();
        AssertSecurityHeaders(await http.SendAsync(Post("/api/runs/x/cancel", Form(), origin: Evil)));
    }

    static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy")); // one policy, not Blazor's beside ours
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self' 'nonce-", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotContain("'unsafe-inline'", csp.Split(';').Single(d => d.Trim().StartsWith("script-src")));
    }

    [Fact]
    public async Task The_page_s_one_inline_script_carries_the_nonce_of_its_policy()
    {
        using var http = server.Http();
        var response = await http.GetAsync("/");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\"", html);
        // A fresh nonce per response.
        var again = (await http.GetAsync("/")).Headers.GetValues("Content-Security-Policy").Single();
        Assert.NotEqual(csp, again);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_403_and_415_of_writes()
    {
        using var http = server.Http();
        var document = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var cancel = document.GetProperty("paths").GetProperty("/api/runs/{id}/cancel").GetProperty("post").GetProperty("responses");
        Assert.True(cancel.TryGetProperty("403", out _));
        Assert.True(cancel.TryGetProperty("415", out _));
        var delete = document.GetProperty("paths").GetProperty("/api/runs/{id}").GetProperty("delete").GetProperty("responses");
        Assert.True(delete.TryGetProperty("403", out _));
        Assert.False(delete.TryGetProperty("415", out _));
    }
}

/// <summary>A dashboard that also trusts pages of one other origin (e.g. a course site that embeds a control panel).</summary>
public sealed class TrustingServer : DashboardServer
{
    public const string Trusted = "https://course.example.org";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ContinualLearning:AllowedOrigins:0", Trusted);
    }
}

public sealed class AllowedOriginsTests(TrustingServer server) : IClassFixture<TrustingServer>
{
    [Theory]
    [InlineData(TrustingServer.Trusted, HttpStatusCode.OK)]
    [InlineData("HTTPS://Course.Example.org:443", HttpStatusCode.OK)] // the same origin spelled differently
    [InlineData("http://course.example.org", HttpStatusCode.Forbidden)] // another scheme is another origin
    [InlineData("https://course.example.org.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    public async Task A_configured_origin_may_negotiate_and_others_still_may_not(string origin, HttpStatusCode expected)
    {
        using var http = server.Http();
        var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/training/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        Assert.Equal(expected, (await http.SendAsync(request)).StatusCode);
    }
}
