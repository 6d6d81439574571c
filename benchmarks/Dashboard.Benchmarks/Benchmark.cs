using System.Diagnostics;
using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

// Does watching cost training speed? The seed preset trained with 0 and with 20 SignalR watchers (real clients,
// loopback, one connection each), alternating, several repetitions; plus how late evaluation events reach watchers.
// Usage: dotnet run -c Release --project benchmarks/Dashboard.Benchmarks [-- --repetitions 7 --watchers 20]
public static class DashboardBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        int repetitions = Arg("--repetitions", 15), watcherCount = Arg("--watchers", 20);

        await using var server = new BenchmarkServer();
        var queue = server.Services.GetRequiredService<RunQueue>();
        var hubUrl = new Uri(server.BaseAddress, "/hubs/training");
        var watchers = new List<HubConnection>();
        for (int i = 0; i < watcherCount; i++)
        {
            var connection = new HubConnectionBuilder().WithUrl(hubUrl).AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions)).Build();
            await connection.StartAsync();
            watchers.Add(connection);
        }

        var seed = new RunConfig(); // the seed preset: Split MNIST 0-4|5-9, linear, SGD 0.01, batch 64, one epoch, full speed
        await Measure(seed, 0); // warm-up: TorchSharp, data loading, JIT
        var alone = new List<double>();
        var watched = new List<double>();
        var delays = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            alone.Add((await Measure(seed, 0)).StepsPerSecond);
            var m = await Measure(seed, watcherCount);
            watched.Add(m.StepsPerSecond);
            delays.AddRange(m.DelaysMs);
        }

        var report = new
        {
            benchmark = "dashboard-watchers",
            preset = "seed (mnist-10k, 0-4|5-9, linear, sgd 0.01, batch 64, 1 epoch, naive, full speed)",
            repetitions,
            watchers = watcherCount,
            processorCount = Environment.ProcessorCount,
            stepsPerSecondNoWatchers = Median(alone),
            stepsPerSecondWithWatchers = Median(watched),
            throughputRatio = Math.Round(Median(watched) / Median(alone), 3),
        // Each watched run next to the unwatched one just before it: background load shifts cancel out better.
            pairedRatioMedian = Math.Round(Median(alone.Zip(watched, (a, w) => w / a).ToArray()), 3),
            evaluationDelayMs = new { median = Median(delays), p95 = Percentile(delays, 0.95), samples = delays.Count },
        };
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        foreach (var w in watchers) await w.DisposeAsync();
        return 0;

        // One run, its watchers attached as soon as it is queued (a run no longer pauses: training never waits for viewers).
        // Speed = steps between the first and last step event over their time (the trainer's own timestamps), so set-up does
        // not count; a delay counts only for events produced after its watcher asked (earlier ones arrive as history).
        async Task<(double StepsPerSecond, List<double> DelaysMs)> Measure(RunConfig config, int watching)
        {
            var run = queue.Submit(config).Run ?? throw new InvalidOperationException("The benchmark run was not accepted.");
            var delays = new List<double>();
            var gate = new Lock();
            var streams = watchers.Take(watching).Select(async w =>
            {
                var asked = DateTimeOffset.UtcNow;
                await foreach (var e in w.StreamAsync<RunEvent>("Watch", run.Id))
                {
                    if (e.Kind == RunEventKind.Evaluation && e.Time >= asked)
                    {
                        var ms = (DateTimeOffset.UtcNow - e.Time).TotalMilliseconds;
                        lock (gate) delays.Add(ms);
                    }
                }
            }).ToArray();
            await run.Completion;
            await Task.WhenAll(streams);
            var steps = run.Events.Snapshot().Where(e => e.Kind == RunEventKind.Step).ToArray();
            var seconds = (steps[^1].Time - steps[0].Time).TotalSeconds;
            return ((steps.Length - 1) / seconds, delays);
        }

        static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

        static double Percentile(IReadOnlyList<double> values, double p)
        {
            if (values.Count == 0) return double.NaN;
            var sorted = values.Order().ToArray();
            return Math.Round(sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))], 3);
        }

        int Arg(string name, int fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        }


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
