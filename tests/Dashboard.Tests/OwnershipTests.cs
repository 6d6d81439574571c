using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static ContinualLearning.Dashboard.Tests.Classroom;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>Class mode: each visitor owns their runs; only the owner or the instructor may cancel, rename or delete them.</summary>
public sealed class OwnershipTests(ClassServer server) : IClassFixture<ClassServer>
{
    [Fact]
    public async Task Another_visitor_cannot_rename_or_delete_my_run_but_I_and_the_instructor_can()
    {
        using var alice = server.Http();
        using var bob = server.Http();
        using var teacher = server.Http();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsInstructor(teacher, ClassServer.Key)).StatusCode);
        Assert.True((await teacher.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("instructor").GetBoolean());
        Assert.NotEqual(await VisitorId(alice), await VisitorId(bob));

        var run = await Start(alice, ShortRun);
        Assert.Equal(await VisitorId(alice), server.Run(run).Owner);
        await WaitStored(alice, run);

        var rename = await bob.PutAsJsonAsync($"/api/runs/{run}/name", new { name = "mine now" });
        Assert.Equal(HttpStatusCode.Forbidden, rename.StatusCode);
        Assert.Contains("owner or an instructor may rename", await Detail(rename));
        var delete = await bob.DeleteAsync($"/api/runs/{run}");
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Contains("owner or an instructor may delete", await Detail(delete));
        var batch = await bob.PostAsJsonAsync("/api/runs/delete", new { ids = new[] { run } });
        Assert.Equal(HttpStatusCode.Forbidden, batch.StatusCode);
        Assert.Contains("nothing was deleted", await Detail(batch));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/runs/{run}")).StatusCode); // still there, and anyone may look
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/compare?runs={run}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/runs/{run}/name", new { name = "alice's" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teacher.PutAsJsonAsync($"/api/runs/{run}/name", new { name = "moderated" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.DeleteAsync($"/api/runs/{run}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/runs/{run}")).StatusCode);
    }

    [Fact]
    public async Task Another_visitor_cannot_cancel_my_run_over_REST_or_the_hub_but_I_and_the_instructor_can()
    {
        using var alice = server.Http();
        using var bob = server.Http();
        using var teacher = server.Http();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsInstructor(teacher, ClassServer.Key)).StatusCode);

        var first = await Start(alice, LongRun.Body);
        var refused = await bob.PostAsJsonAsync($"/api/runs/{first}/cancel", new { });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("owner or an instructor may cancel", await Detail(refused));
        await using (var bobsHub = server.Hub())
        {
            await bobsHub.StartAsync();
            var error = await Assert.ThrowsAsync<HubException>(() => bobsHub.InvokeAsync("Cancel", first));
            Assert.Contains("owner or an instructor may cancel", error.Message);
        }
        Assert.False(server.Run(first).Events.IsComplete);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/runs/{first}/cancel", new { })).StatusCode);
        await server.Run(first).Completion.WaitAsync(Patience);
        Assert.Equal(RunStatus.Cancelled, server.Run(first).Status);

        var second = await Start(alice, LongRun.Body);
        Assert.Equal(HttpStatusCode.OK, (await teacher.PostAsJsonAsync($"/api/runs/{second}/cancel", new { })).StatusCode);
        await server.Run(second).Completion.WaitAsync(Patience);
        Assert.Equal(RunStatus.Cancelled, server.Run(second).Status);
    }

    [Fact]
    public async Task A_sweep_belongs_to_its_creator()
    {
        using var alice = server.Http();
        using var bob = server.Http();
        using var teacher = server.Http();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsInstructor(teacher, ClassServer.Key)).StatusCode);
        var created = await alice.PostAsJsonAsync("/api/sweeps", new { config = new { strategy = "replay", iterationsPerTask = 6, evalEvery = 3 }, param = "replayRatio", values = new[] { 0.1, 0.2 } });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var sweep = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = sweep.GetProperty("id").GetString()!;
        var runs = sweep.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
        var aliceId = await VisitorId(alice);
        Assert.All(runs, run => Assert.Equal(aliceId, server.Run(run).Owner));
        foreach (var run in runs) await WaitStored(alice, run);

        var refused = await bob.DeleteAsync($"/api/sweeps/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("owner or an instructor", await Detail(refused));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/sweeps/{id}")).StatusCode); // anyone may look
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.DeleteAsync($"/api/sweeps/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_acts_as_its_visitor_over_REST_and_the_hub()
    {
        using var alice = server.Http();
        var aliceId = await VisitorId(alice);
        var token = (await (await alice.PostAsJsonAsync("/api/me/token", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        using var script = WithoutCookies(server);
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(aliceId, await VisitorId(script));
        var run = await Start(script, ShortRun);
        Assert.Equal(aliceId, server.Run(run).Owner);
        await WaitStored(alice, run);
        Assert.Equal(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/runs/{run}/name", new { name = "from my notebook" })).StatusCode);

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/training"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions))
            .Build();
        await hub.StartAsync();
        var fromHub = await hub.InvokeAsync<string>("Start", ShortRun);
        Assert.Equal(aliceId, server.Run(fromHub).Owner);

        using var forger = WithoutCookies(server);
        forger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^4] + "AAAA");
        var refused = await forger.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Connect from code", await Detail(refused));
    }

    [Fact]
    public async Task A_visitor_may_name_themselves_within_the_rules()
    {
        using var alice = server.Http();
        var named = await alice.PutAsJsonAsync("/api/me/name", new { displayName = "  Ada  " });
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal("Ada", (await alice.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("displayName").GetString());

        var tooLong = await alice.PutAsJsonAsync("/api/me/name", new { displayName = new string('x', 41) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var errors = (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("at most 40 characters", errors.GetProperty("displayName")[0].GetString());
        Assert.Equal("Ada", (await alice.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task The_instructor_key_is_checked_and_wrong_guesses_are_rate_limited()
    {
        using var guesser = server.Http();
        for (int i = 0; i < 5; i++)
        {
            var wrong = await SignInAsInstructor(guesser, "not-the-key-" + i);
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.Contains("not the instructor key", await wrong.Content.ReadAsStringAsync());
        }
        // The default limit is 5 tries a minute: even the right key now waits.
        var limited = await SignInAsInstructor(guesser, ClassServer.Key);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.False((await guesser.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("instructor").GetBoolean());
    }
}

/// <summary>Personal mode (no instructor key): everyone is the local user and may do everything, as before.</summary>
public sealed class PersonalModeTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    [Fact]
    public async Task Every_visitor_is_the_local_user_and_may_change_every_run()
    {
        using var first = server.Http();
        using var second = server.Http();
        var me = await second.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.False(me.GetProperty("classMode").GetBoolean());
        Assert.Equal(TrainingRun.LocalOwner, me.GetProperty("owner").GetString());

        var run = await Start(first, ShortRun);
        Assert.Equal(TrainingRun.LocalOwner, server.Run(run).Owner);
        await WaitStored(first, run);
        Assert.Equal(HttpStatusCode.OK, (await second.PutAsJsonAsync($"/api/runs/{run}/name", new { name = "shared" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await second.DeleteAsync($"/api/runs/{run}")).StatusCode);

        var going = await Start(first, LongRun.Body);
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsJsonAsync($"/api/runs/{going}/cancel", new { })).StatusCode);
        await server.Run(going).Completion.WaitAsync(Patience);
    }
}

/// <summary>Identities, cookies and API tokens survive a restart: the data-protection keys live in the data folder.</summary>
public sealed class IdentityRestartTests
{
    [Fact]
    public async Task A_visitor_keeps_their_identity_name_and_token_across_a_restart()
    {
        var folder = DashboardServer.NewFolder();
        var settings = new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = ClassServer.Key };
        var cookies = new CookieContainer();
        string id, token;
        try
        {
            await using (var before = DashboardServer.Start(folder, settings))
            {
                using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = before.BaseAddress };
                id = await VisitorId(http);
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/me/name", new { displayName = "Grace" })).StatusCode);
                token = (await (await http.PostAsJsonAsync("/api/me/token", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            }
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "keys"), "*.xml"));
            await using var after = DashboardServer.Start(folder, settings);
            // Cookies belong to the host, not the port: the restarted server on its new port gets the same cookie.
            using var again = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = after.BaseAddress };
            Assert.Equal(id, await VisitorId(again));
            Assert.Equal("Grace", (await again.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("displayName").GetString());
            using var script = WithoutCookies(after);
            script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(id, await VisitorId(script));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Settings that make no sense stop the server at start-up with a sentence naming the setting.</summary>
public sealed class ClassroomSettingsTests
{
    [Theory]
    [InlineData("short", null, "ContinualLearning:InstructorKey must be at least 8 characters")]
    [InlineData("long-enough-key", 0, "ContinualLearning:RateLimits:RunCreations must be a whole number from 1 to 1000000 (got 0)")]
    public void Bad_settings_are_refused_naming_the_setting(string key, int? runCreations, string message)
    {
        var options = new ContinualLearning.Dashboard.Identity.ClassroomOptions { InstructorKey = key };
        if (runCreations is { } n) options.RateLimits.RunCreations = n;
        Assert.Contains(message, Assert.Throws<InvalidOperationException>(options.Check).Message);
    }

    [Fact]
    public void The_server_does_not_start_with_a_short_instructor_key()
    {
        var error = Assert.ThrowsAny<Exception>(() => DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = "short" }).Dispose());
        Assert.Contains("InstructorKey must be at least 8 characters", error.ToString());
    }
}
