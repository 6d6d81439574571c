using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

/// <summary>
/// The watchers, in a process of their own (this program started again in watcher mode): N SignalR connections to the
/// hub. Told "watch &lt;run id&gt;" on standard input, every connection streams the run's events (JSON protocol, as a
/// browser's) to the end, and the process answers with the evaluation delays in milliseconds, one line of JSON.
/// </summary>
/// <remarks>
/// A watcher reads only what it checks (seq, kind, time; the serializer skips the rest of each event): the process
/// shares the server's two cores here, so it stands for clients on other machines as cheaply as it can.
/// </remarks>
sealed class WatcherProcess : IDisposable
{
    public const string Mode = "--watcher-process";

    readonly Process process;

    WatcherProcess(Process process) => this.process = process;

    /// <summary>Starts the watcher process: this program again (its apphost, or dotnet with its dll).</summary>
    public static WatcherProcess Start(Uri hub, int count, bool lowPriority)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in new[] { Mode, hub.ToString(), count.ToString(CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("The watcher process did not start.");
        if (lowPriority) process.PriorityClass = ProcessPriorityClass.BelowNormal; // nice 10 on Linux
        return new WatcherProcess(process);
    }

    public async Task ReadyAsync()
    {
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "ready") throw new InvalidOperationException($"The watcher process did not connect: {line ?? "(it exited)"}");
    }

    /// <summary>Has every watcher stream the run to its end at the pace (0 = as fast as available); returns their evaluation delays (ms, at pace 0 only).</summary>
    public async Task<IReadOnlyList<double>> WatchAsync(string runId, double pace, bool batches)
    {
        await process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"watch {runId} {pace} {(batches ? "batches" : "events")}"));
        await process.StandardInput.FlushAsync();
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The watcher process exited.");
        return JsonSerializer.Deserialize<double[]>(line) ?? [];
    }

    /// <summary>CPU time the watcher process has used so far (user + system).</summary>
    public TimeSpan TotalProcessorTime
    {
        get { process.Refresh(); return process.TotalProcessorTime; }
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
            // "watch <run id> <pace> <events|batches>": pace 0 = as fast as available; events = one message per event
            // (Watch, or WatchFrom at a pace, as a browser at its default pace does), batches = WatchBatches.
            var parts = command.Split(' ');
            var runId = parts[1];
            double pace = double.Parse(parts[2], CultureInfo.InvariantCulture);
            bool batches = parts[3] == "batches";
            var delays = new List<double>();
            var gate = new Lock();
            await Task.WhenAll(connections.Select(async c =>
            {
                var asked = DateTimeOffset.UtcNow;
                long expected = 1;
                void Seen(WatchedEvent e)
                {
                    // The hub's contract, checked on every watcher: seq 1..n in order, no gaps, no repeats.
                    if (e.Seq != expected) throw new InvalidOperationException($"watcher expected seq {expected}, got {e.Seq}");
                    expected++;
                    if (pace == 0 && e.Kind == "evaluation" && e.Time >= asked)
                        lock (gate) delays.Add((DateTimeOffset.UtcNow - e.Time).TotalMilliseconds);
                }
                if (batches)
                    await foreach (var batch in c.StreamAsync<WatchedEvent[]>("WatchBatches", runId, pace, 1))
                        foreach (var e in batch) Seen(e);
                else
                    await foreach (var e in pace > 0 ? c.StreamAsync<WatchedEvent>("WatchFrom", runId, pace, null) : c.StreamAsync<WatchedEvent>("Watch", runId))
                        Seen(e);
            }));
            Console.WriteLine(JsonSerializer.Serialize(delays));
        }
        foreach (var c in connections) await c.DisposeAsync();
        return 0;
    }
}

/// <summary>What a benchmark watcher reads of an event.</summary>
sealed record WatchedEvent(long Seq, string Kind, DateTimeOffset Time);
