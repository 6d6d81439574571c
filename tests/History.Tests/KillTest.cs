using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace ContinualLearning.History.Tests;

/// <summary>
/// The crash test: the dashboard as its own process (`dotnet ContinualLearning.Dashboard.dll`), killed with SIGKILL
/// while a slow run trains, then restarted on the same database. The run must show as interrupted with the curves it
/// had written; the run that had finished must be intact.
/// </summary>
public class KillTest
{
    sealed class ServerProcess : IDisposable
    {
        readonly Process process;
        public HttpClient Http { get; }

        public ServerProcess(string dataFolder)
        {
            int port = FreePort();
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(DashboardDll());
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
            start.ArgumentList.Add($"--ContinualLearning:DataFolder={dataFolder}");
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public async Task WaitUntilUp()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (true)
            {
                Assert.False(process.HasExited, "the dashboard process exited on start");
                try { if ((await Http.GetAsync("/healthz", limit.Token)).IsSuccessStatusCode) return; }
                catch (HttpRequestException) { }
                await Task.Delay(100, limit.Token);
            }
        }

        public void KillHard()
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no graceful cancellation
            process.WaitForExit();
        }

        public void Dispose()
        {
            if (!process.HasExited) KillHard();
            process.Dispose();
            Http.Dispose();
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dashboard's own build output, in the same configuration as these tests.</summary>
    internal static string DashboardDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory); // tests/History.Tests/bin/{Configuration}/net10.0/
        var configuration = testBin.Parent!.Name;
        var root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", "Dashboard", "bin", configuration, testBin.Name, "ContinualLearning.Dashboard.dll");
        Assert.True(File.Exists(dll), $"dashboard build not found at {dll}");
        return dll;
    }

    [Fact]
    public async Task KilledMidRunTheRunIsInterruptedWithItsPartialCurvesAndFinishedRunsAreIntact()
    {
        var folder = DashboardServer.NewFolder();
        try
        {
            string finishedId, slowId;
            int eventsBeforeKill;
            using (var server = new ServerProcess(folder))
            {
                await server.WaitUntilUp();
                finishedId = await Api.StartRun(server.Http, new { strategy = "replay", replayRatio = 0.3 });
                await Api.WaitStored(server.Http, finishedId);
                // ~90,000 steps at full speed (tens of seconds): plenty of time to kill it part-way.
                slowId = await Api.StartRun(server.Http, LongRun.Body);
                var stored = await Api.WaitFor(server.Http, "/api/history", list => list.EnumerateArray()
                    .Any(r => r.GetProperty("id").GetString() == slowId && r.GetProperty("eventCount").GetInt32() >= 30));
                eventsBeforeKill = stored.EnumerateArray().Single(r => r.GetProperty("id").GetString() == slowId).GetProperty("eventCount").GetInt32();
                server.KillHard();
            }

            using var restarted = new ServerProcess(folder);
            await restarted.WaitUntilUp();
            var slow = await Api.Get(restarted.Http, $"/api/runs/{slowId}");
            Assert.Equal("interrupted", slow.GetProperty("status").GetString());
            var events = (await Api.Get(restarted.Http, $"/api/runs/{slowId}/events")).EnumerateArray().ToArray();
            Assert.InRange(events.Length, eventsBeforeKill, 200_000); // at least what was stored before the kill, and no more than the run's budget
            Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.GetProperty("seq").GetInt64())); // no gaps
            Assert.Contains(events, e => e.GetProperty("kind").GetString() == "evaluation");
            Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() is "finished" or "failed" or "cancelled");

            var finished = await Api.Get(restarted.Http, $"/api/runs/{finishedId}");
            Assert.Equal("finished", finished.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Array, finished.GetProperty("result").GetProperty("accuracyMatrix").ValueKind);
            var finishedEvents = (await Api.Get(restarted.Http, $"/api/runs/{finishedId}/events")).EnumerateArray().ToArray();
            Assert.Equal("finished", finishedEvents[^1].GetProperty("kind").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
