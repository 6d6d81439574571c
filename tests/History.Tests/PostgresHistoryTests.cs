using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ContinualLearning.Storage.Tests;

namespace ContinualLearning.History.Tests;

/// <summary>The history in PostgreSQL (ConnectionStrings:Runs): web nodes sharing it, and a server that cannot reach it.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresHistoryTests(PostgresServer postgres)
{
    static readonly object Small = new { seed = 3, iterationsPerTask = 40, evalEvery = 20 };

    [PostgresFact]
    public async Task TwoWebNodesOnOnePostgresDatabaseShowTheSameHistory()
    {
        var database = postgres.CreateDatabase();
        try
        {
            var settings = new Dictionary<string, string> { ["ConnectionStrings:Runs"] = database };
            await using var first = DashboardServer.Start(settings: settings);
            await using var second = DashboardServer.Start(settings: settings);
            using var atFirst = first.Http();
            using var atSecond = second.Http();

            var id = await Api.StartRun(atFirst, Small);
            // The second node never held the run: it sees it finished, with every event, from the shared database.
            await Api.WaitStored(atSecond, id);
            var stored = (await Api.Get(atSecond, "/api/history")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
            Assert.Equal("finished", stored.GetProperty("status").GetString());
            var seen = (await Api.Get(atSecond, $"/api/runs/{id}/events")).EnumerateArray().ToArray();
            int count = stored.GetProperty("eventCount").GetInt32();
            Assert.True(count > 4, $"a whole run has more than {count} events");
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), seen.Select(e => e.GetProperty("seq").GetInt64())); // complete, in order
            Assert.Equal("finished", seen[^1].GetProperty("kind").GetString());

            var renamed = await atSecond.PutAsJsonAsync($"/api/runs/{id}/name", new { name = "named on the second node" });
            renamed.EnsureSuccessStatusCode();
            var listed = (await Api.Get(atFirst, "/api/history")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
            Assert.Equal("named on the second node", listed.GetProperty("name").GetString());

            Assert.Equal(HttpStatusCode.NoContent, (await atSecond.DeleteAsync($"/api/runs/{id}")).StatusCode);
            Assert.DoesNotContain((await Api.Get(atFirst, "/api/history")).EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        }
        finally
        {
            postgres.DropDatabase(database);
        }
    }

    [Fact]
    public async Task AnUnreachablePostgresStopsTheServerWithOneMessageNamingItWithoutThePassword()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0)) { listener.Start(); closedPort = ((IPEndPoint)listener.LocalEndpoint).Port; }
        var folder = DashboardServer.NewFolder();
        try
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(KillTest.DashboardDll());
            start.ArgumentList.Add("--urls=http://127.0.0.1:0");
            start.ArgumentList.Add($"--ContinualLearning:DataFolder={folder}");
            start.ArgumentList.Add($"--ConnectionStrings:Runs=Host=127.0.0.1;Port={closedPort};Username=cl;Password=hunter2-not-shown;Database=runs;Timeout=5");
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            var everything = await output + await error;

            Assert.Equal(1, process.ExitCode);
            Assert.Contains($"PostgreSQL database runs on 127.0.0.1:{closedPort} as cl", await error);
            Assert.Contains("the database server cannot be reached", await error);
            Assert.Contains("ConnectionStrings:Runs", await error);
            Assert.DoesNotContain("hunter2-not-shown", everything);
            Assert.DoesNotContain("   at ", everything); // no stack trace, in the log or on the console
            Assert.False(File.Exists(Path.Combine(folder, "runs.db"))); // no silent fall-back to SQLite
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
