using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

/// <summary>
/// The watchers, in a process of their own (this program started again in watcher mode): N SignalR connections to the
/// hub. Told "watch &lt;run id&gt;" on standard input, every connection streams the run's events (read as JSON, as a
/// browser would) to the end, and the process answers with the evaluation delays in milliseconds, one line of JSON.
/// </summary>
sealed class WatcherProcess : IDisposable
{
    public const string Mode = "--watcher-process";

    readonly Process process;

    WatcherProcess(Process process) => this.process = process;

    /// <summary>Starts the watcher process: this program again (its apphost, or dotnet with its dll).</summary>
    public static WatcherProcess Start(Uri hub, int count)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in new[] { Mode, hub.ToString(), count.ToString(CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        return new WatcherProcess(Process.Start(info) ?? throw new InvalidOperationException("The watcher process did not start."));
    }

    public async Task ReadyAsync()
    {
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "ready") throw new InvalidOperationException($"The watcher process did not connect: {line ?? "(it exited)"}");
    }

    /// <summary>Has every watcher stream the run to its end at the pace (0 = as fast as available); returns their evaluation delays (ms, at pace 0 only).</summary>
    public async Task<IReadOnlyList<double>> WatchAsync(string runId, double pace)
    {
        await process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"watch {runId} {pace}"));
        await process.StandardInput.FlushAsync();
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The watcher process exited.");
        return JsonSerializer.Deserialize<double[]>(line) ?? [];
    }

    public void Dispose()
    {
        try { process.StandardInput.Close(); process.WaitForExit(10_000); }
        finally
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
        }
    }

    /// <summary>The watcher process itself: connect, say ready, then watch each run it is told of.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var hub = new Uri(args[1]);
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var connections = new List<HubConnection>();
        for (int i = 0; i < count; i++)
        {
            var connection = new HubConnectionBuilder().WithUrl(hub).Build();
            await connection.StartAsync();
            connections.Add(connection);
        }
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync() is { } command && command.StartsWith("watch ", StringComparison.Ordinal))
        {
            // "watch <run id> [pace]": pace 0 (or none) = Watch, as fast as available; else WatchFrom at that pace, as a
            // browser at its default pace does.
            var parts = command.Split(' ');
            var runId = parts[1];
            double pace = parts.Length > 2 ? double.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
            var delays = new List<double>();
            var gate = new Lock();
            await Task.WhenAll(connections.Select(async c =>
            {
                var asked = DateTimeOffset.UtcNow;
                var events = pace > 0 ? c.StreamAsync<JsonElement>("WatchFrom", runId, pace, null) : c.StreamAsync<JsonElement>("Watch", runId);
                await foreach (var e in events)
                {
                    if (pace == 0 && e.GetProperty("kind").GetString() == "evaluation" && e.GetProperty("time").GetDateTimeOffset() is var time && time >= asked)
                        lock (gate) delays.Add((DateTimeOffset.UtcNow - time).TotalMilliseconds);
                }
            }));
            Console.WriteLine(JsonSerializer.Serialize(delays));
        }
        foreach (var c in connections) await c.DisposeAsync();
        return 0;
    }
}
