using System.Diagnostics;
using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

// Does watching cost training speed? The seed preset trained alone and watched by N SignalR clients (real clients,
// one connection each, in a separate process, as a class's browsers would be), alternating, several repetitions;
// plus how late evaluation events reach the watchers.
// Usage: dotnet run -c Release --project benchmarks/Dashboard.Benchmarks [-- --repetitions 15 --watchers 100 --watch-pace 0|8 --messages batches|events --watchers-priority normal|low]
public static class DashboardBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == WatcherProcess.Mode) return await WatcherProcess.RunAsync(args);
        int repetitions = Arg(args, "--repetitions", 15), watcherCount = Arg(args, "--watchers", 100);
        int watchPace = Arg(args, "--watch-pace", 0); // 0: every watcher as fast as available (the worst case); 8: a class at the default pace
        // batches (default): WatchBatches, several events per message; events: Watch / WatchFrom, one message per event.
        bool batches = ArgText(args, "--messages", "batches") != "events";
        // low: the watcher process at nice 10 (BelowNormal), standing in for clients on other machines; never the only figure.
        bool lowPriorityWatchers = ArgText(args, "--watchers-priority", "normal") == "low";

        await using var server = new BenchmarkServer();
        var queue = server.Services.GetRequiredService<IRunQueue>();
        using var watchers = WatcherProcess.Start(new Uri(server.BaseAddress, "/hubs/training"), watcherCount, lowPriorityWatchers);
        await watchers.ReadyAsync();

        var seed = new RunConfig(); // the seed preset: Split MNIST 0-4|5-9, linear, SGD 0.01, batch 64, one epoch, full speed
        await Measure(seed, watched: false); // warm-up: TorchSharp, data loading, JIT
        await Measure(seed, watched: true);
        var alone = new List<double>();
        var watched = new List<double>();
        var delays = new List<double>();
        var self = Process.GetCurrentProcess();
        TimeSpan serverCpuAlone = default, serverCpuWatched = default, watcherCpu = default;
        for (int r = 0; r < repetitions; r++)
        {
            var before = Cpu();
            alone.Add((await Measure(seed, watched: false)).StepsPerSecond);
            var between = Cpu();
            var m = await Measure(seed, watched: true);
            var after = Cpu();
            serverCpuAlone += between.Server - before.Server;
            serverCpuWatched += after.Server - between.Server;
            watcherCpu += after.Watchers - between.Watchers;
            watched.Add(m.StepsPerSecond);
            delays.AddRange(m.DelaysMs);
        }

        var report = new
        {
            benchmark = "dashboard-watchers",
            preset = "seed (mnist-10k, 0-4|5-9, linear, sgd 0.01, batch 64, 1 epoch, naive, full speed)",
            repetitions,
            watchers = watcherCount,
            watchPace = watchPace == 0 ? "as fast as available" : $"{watchPace} steps/s",
            messages = batches ? "WatchBatches: a JSON array of the events available at once per message" : "Watch / WatchFrom: one message per event",
            watchersIn = "a separate process (one SignalR connection each, JSON protocol)" +
                (lowPriorityWatchers ? ", at low priority (nice 10: standing in for clients on other machines)" : ", at normal priority"),
            processorCount = Environment.ProcessorCount,
            loadAverageAtEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null,
            stepsPerSecondNoWatchers = Median(alone),
            stepsPerSecondWithWatchers = Median(watched),
            throughputRatio = Math.Round(Median(watched) / Median(alone), 3),
            // Each watched run next to the unwatched one just before it: background load shifts cancel out better.
            pairedRatioMedian = Math.Round(Median(alone.Zip(watched, (a, w) => w / a).ToArray()), 3),
            // Paced watchers get events late on purpose: their delays say nothing, so none are taken.
            // Where the CPU goes, per run (CPU ms of each process from the start of the run to the last watcher's end):
            // the server's extra work for watchers is serverWatched − serverAlone.
            cpuMsPerRun = new
            {
                serverAlone = Math.Round(serverCpuAlone.TotalMilliseconds / repetitions, 1),
                serverWatched = Math.Round(serverCpuWatched.TotalMilliseconds / repetitions, 1),
                watcherProcess = Math.Round(watcherCpu.TotalMilliseconds / repetitions, 1),
            },
            evaluationDelayMs = delays.Count == 0 ? null : (object)new { median = Median(delays), p95 = Percentile(delays, 0.95), samples = delays.Count },
        };
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return 0;

        (TimeSpan Server, TimeSpan Watchers) Cpu()
        {
            self.Refresh();
            return (self.TotalProcessorTime, watchers.TotalProcessorTime);
        }

        // One run; when watched, every watcher attaches as soon as it is queued (training never waits for viewers).
        // Speed = steps between the first and last step event over their time (the trainer's own timestamps), so set-up
        // does not count; the watchers report how late each evaluation produced after they asked reached them.
        async Task<(double StepsPerSecond, IReadOnlyList<double> DelaysMs)> Measure(RunConfig config, bool watched)
        {
            var run = (await queue.SubmitAsync(config)).Run ?? throw new InvalidOperationException("The benchmark run was not accepted.");
            IReadOnlyList<double> delays = [];
            if (watched) delays = await watchers.WatchAsync(run.Id, watchPace, batches);
            await run.Completion;
            var steps = run.Events.Snapshot().Where(e => e.Kind == RunEventKind.Step).ToArray();
            var seconds = (steps[^1].Time - steps[0].Time).TotalSeconds;
            return ((steps.Length - 1) / seconds, delays);
        }
    }

    static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))], 3);
    }

    static string ArgText(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

/// <summary>The dashboard on loopback Kestrel, quiet logs, a scratch data folder.</summary>
sealed class BenchmarkServer : WebApplicationFactory<Program>
{
    public BenchmarkServer()
    {
        // Content root = this program's output folder (it holds the dashboard's appsettings.json), wherever it runs from.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_CONTINUALLEARNING_DASHBOARD", AppContext.BaseDirectory);
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ContinualLearning:DataFolder", Path.Combine(Path.GetTempPath(), "cl-dashboard-benchmark"));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        if (Environment.GetEnvironmentVariable("ContinualLearning__TorchThreads") is { } threads) builder.UseSetting("ContinualLearning:TorchThreads", threads);
    }

    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
