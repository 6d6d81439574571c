using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Dashboard.History;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

using ContinualLearning.Storage.Tests;

namespace ContinualLearning.History.Tests;

/// <summary>The dashboard with a run database that cannot be written, is damaged, or is not a database.</summary>
public class StorageFaultTests
{
    static readonly object Short = new { iterationsPerTask = 20, evalEvery = 5 };

    static IRunStore StoreOf(DashboardServer server) => server.Services.GetRequiredService<RunHistory>().Store;
    static IRunRegistry RegistryOf(DashboardServer server) => server.Services.GetRequiredService<IRunRegistry>();

    static async Task<HubConnection> Hub(DashboardServer server)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/training"))
            .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions)).Build();
        await hub.StartAsync();
        return hub;
    }

    static async Task<JsonElement> Health(HttpClient http, HttpStatusCode expected)
    {
        var response = await http.GetAsync("/healthz");
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("database");
    }

    [Fact]
    public async Task AnUnwritableDatabaseRefusesSubmissionsWith503AndQueuesNothing()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        StoreOf(server).Faults.FailWrites();

        var response = await http.PostAsJsonAsync("/api/runs", Short);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The run database cannot be written (the disk is full); nothing was queued. Try again later.", problem.GetProperty("detail").GetString());

        var sweep = await http.PostAsJsonAsync("/api/sweeps", new { config = Short, param = "replayRatio", values = new[] { 0.1, 0.2 }, seeds = 2 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, sweep.StatusCode);

        await using var hub = await Hub(server);
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("Start", new { iterationsPerTask = 20 }));
        Assert.Contains("cannot be written (the disk is full); nothing was queued", refused.Message);

        // No ghost: nothing in memory, in the queue, or in the database.
        Assert.Empty(RegistryOf(server).All());
        Assert.Equal(0, server.Services.GetRequiredService<IRunQueue>().WaitingCount);
        Assert.Empty((await Api.Get(http, "/api/runs")).EnumerateArray());
        Assert.Empty((await Api.Get(http, "/api/history")).EnumerateArray());
        Assert.Empty((await Api.Get(http, "/api/sweeps")).EnumerateArray());

        var unhealthy = await Health(http, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", unhealthy.GetProperty("status").GetString());
        Assert.Contains("cannot be written", unhealthy.GetProperty("description").GetString());

        // The disk is freed: healthy again, and submissions work.
        StoreOf(server).Faults.Heal();
        Assert.Equal("Healthy", (await Health(http, HttpStatusCode.OK)).GetProperty("status").GetString());
        var id = await Api.StartRun(http, Short);
        await Api.WaitStored(http, id);
    }

    [Fact]
    public async Task ARunWhoseRecordingFailsEndsInMemoryShowsTheNoticeAndIsStoredOnceTheDatabaseIsBack()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        // The run's row and first batch (started → running) land, then every write fails: the disk filled mid-run.
        StoreOf(server).Faults.FailWrites(after: 2);
        var id = await Api.StartRun(http, Short);

        var shown = await Api.WaitFor(http, $"/api/runs/{id}", r => r.GetProperty("status").GetString() == "finished"
            && r.TryGetProperty("recordingError", out var e) && e.ValueKind == JsonValueKind.String);
        Assert.Contains("not saved", shown.GetProperty("recordingError").GetString());
        Assert.Contains("the disk is full", shown.GetProperty("recordingError").GetString());
        Assert.Equal(RunStatus.Running, StoreOf(server).GetSummary(id)!.Status); // in the file: the end is not stored (yet)
        var listed = (await Api.Get(http, "/api/history")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        Assert.Equal("finished", listed.GetProperty("status").GetString()); // the history shows what the server knows…
        Assert.Contains("not saved", listed.GetProperty("recordingError").GetString()); // …and that it is not saved
        Assert.NotNull(RegistryOf(server).Find(id)); // kept in memory: the only complete copy
        Assert.Equal("Unhealthy", (await Health(http, HttpStatusCode.ServiceUnavailable)).GetProperty("status").GetString());

        // One terminal state that Cancel respects, and other runs are unaffected by the failed recorder.
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"/api/runs/{id}/cancel", JsonContent.Create(new { }))).StatusCode);

        StoreOf(server).Faults.Heal();
        await Health(http, HttpStatusCode.OK); // a successful probe retries the unsaved end at once
        var after = await Api.WaitFor(http, $"/api/runs/{id}", r => !r.TryGetProperty("recordingError", out var e) || e.ValueKind == JsonValueKind.Null);
        Assert.Equal("finished", after.GetProperty("status").GetString());
        Assert.Equal(RunStatus.Finished, StoreOf(server).GetSummary(id)!.Status);
        var events = (await Api.Get(http, $"/api/runs/{id}/events")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToArray();
        var storedEvents = StoreOf(server).GetEvents(id).Select(e => e.Seq).ToArray();
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), storedEvents);
        var listedAfter = (await Api.Get(http, "/api/history")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        Assert.False(listedAfter.TryGetProperty("recordingError", out var gone) && gone.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task EndedRunsLeaveMemoryOnceStoredAndAreServedFromTheDatabase()
    {
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:FinishedRunsInMemory"] = "1" });
        var http = server.CreateClient();
        var registry = RegistryOf(server);
        var ids = new List<string>();
        for (int i = 0; i < 3; i++) ids.Add(await Api.StartRun(http, new { iterationsPerTask = 20, evalEvery = 5, seed = i }));
        foreach (var id in ids) await Api.WaitStored(http, id);
        await WaitUntil(() => registry.All().Count <= 1);
        // Runs train side by side, so they are stored (and released) in any order: at most one is still held.
        var released = ids.Where(id => registry.Find(id) is null).ToArray();
        Assert.True(released.Length >= 2, $"{released.Length} of 3 runs left memory");

        await using var hub = await Hub(server);
        foreach (var id in released.Take(2))
        {
            var view = await Api.Get(http, $"/api/runs/{id}");
            Assert.Equal("finished", view.GetProperty("status").GetString());
            var seqs = (await Api.Get(http, $"/api/runs/{id}/events")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToArray();
            Assert.Equal(Enumerable.Range(1, seqs.Length).Select(i => (long)i), seqs);
            var watched = new List<RunEvent>();
            await foreach (var e in hub.StreamAsync<RunEvent>("Watch", id)) watched.Add(e);
            Assert.Equal(seqs, watched.Select(e => e.Seq));
            Assert.Equal(RunEventKind.Finished, watched[^1].Kind);
            // The designer link of a released run leads to its own page, which replays it from the database.
            using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
            var page = await noRedirects.GetAsync($"/?run={id}");
            Assert.Equal($"/run/{id}", page.Headers.Location?.OriginalString);
        }

        // Deleting the third run forgets it in memory too, held or not.
        var last = ids.Except(released.Take(2)).Single();
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/runs/{last}")).StatusCode);
        Assert.Null(registry.Find(last));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/runs/{last}")).StatusCode);
    }

    [Fact]
    public async Task ADamagedDatabaseIsQuarantinedAtStartAndHealthSaysTheHistoryWasReset()
    {
        var folder = DashboardServer.NewFolder();
        try
        {
            await using (var first = DashboardServer.Start(folder))
            {
                var http = first.CreateClient();
                for (int i = 0; i < 3; i++) await Api.WaitStored(http, await Api.StartRun(http, new { iterationsPerTask = 40, evalEvery = 2, seed = i }));
            }
            var path = Path.Combine(folder, "runs.db");
            SqliteFiles.Checkpoint(path);
            long length = new FileInfo(path).Length;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                file.Position = length / 2;
                var garbage = new byte[Math.Min(3 * 4096, (int)(length / 3))];
                new Random(7).NextBytes(garbage);
                file.Write(garbage);
            }

            await using var second = DashboardServer.Start(folder);
            var client = second.CreateClient();
            var q = StoreOf(second).Quarantined;
            Assert.NotNull(q);
            Assert.True(File.Exists(q.MovedTo));
            Assert.Empty((await Api.Get(client, "/api/history")).EnumerateArray()); // nothing half-served
            var degraded = await Health(client, HttpStatusCode.OK);
            Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
            Assert.Contains(Path.GetFileName(q.MovedTo), degraded.GetProperty("description").GetString());
            Assert.Contains("backup", degraded.GetProperty("description").GetString());
            await Api.WaitStored(client, await Api.StartRun(client, Short)); // and the fresh database works
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("not-a-database")]
    [InlineData("folder-is-a-file")]
    public async Task AnUnusableDatabaseStopsTheServerWithOneMessageNamingTheFileAndWhatToDo(string problem)
    {
        var folder = DashboardServer.NewFolder();
        Directory.CreateDirectory(folder);
        var (path, named) = problem switch
        {
            "not-a-database" => (Path.Combine(folder, "runs.db"), Path.Combine(folder, "runs.db")),
            _ => (Path.Combine(folder, "blocked", "runs.db"), Path.Combine(folder, "blocked")),
        };
        if (problem == "not-a-database") File.WriteAllText(path, "these are my notes, not a database");
        else File.WriteAllText(named, "a file where the folder should be");
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(KillTest.DashboardDll());
            start.ArgumentList.Add("--urls=http://127.0.0.1:0");
            start.ArgumentList.Add($"--ContinualLearning:DatabasePath={path}");
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            var everything = await output + await error;

            Assert.Equal(1, process.ExitCode);
            Assert.Contains(named, await error);
            Assert.Contains("ContinualLearning:DatabasePath", await error);
            Assert.DoesNotContain("   at ", everything); // no stack trace, in the log or on the console
            if (problem == "not-a-database") Assert.Equal("these are my notes, not a database", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }


    /// <summary>Waits on a condition the server reaches on its own (a recording's completion releasing a run).</summary>
    static async Task WaitUntil(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(20, limit.Token);
    }
}
