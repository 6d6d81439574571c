using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Cluster.Benchmarks;
using ContinualLearning.Cluster.Testing;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Events;
using ContinualLearning.Storage.Tests;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Issue 10's cluster benchmark: RUNS runs of the split-mnist-5 preset on 1 worker process vs 2 (one slot, one libtorch
// thread each), submitted as one sweep to a web node; a Redis and a PostgreSQL of its own on loopback (the workers record
// the runs they train there).
//   dotnet run -c Release --project benchmarks/Cluster [-- runs] [--warmup N] [--pairs N] [--idle SECONDS] [--burst N] [--web-env NAME=VALUE] [--worker-env NAME=VALUE] [--settle SECONDS] [--logs]
// --warmup N (default 1): before the clock starts in each shape, N untimed runs per worker, submitted together (so each
// worker trains N) and watched to their end through the same web node: workers in a lab are long-lived services, and a
// fresh process's first run pays the JIT. --warmup 0 measures cold processes. --web-env sets a variable in the web
// node's environment only (e.g. DOTNET_TieredPGO=0), to try a runtime setting there without touching the workers;
// --worker-env in the workers'. --idle S first measures S seconds of the cluster with nothing to train (CPU per second).
// --burst N (after the warm-up, twice) sends N POST /api/runs at once to the web node, as a class pressing Train
// together, then N cancels at once, and reports how long each request took (the web node asks the queue grain for each)
// and how the runs ended. --settle S (default 0) lets the warmed-up cluster idle S seconds before the clock starts, as a
// lab's cluster that has been up for minutes: a fresh .NET process goes on compiling its start-up code at tier 1 for a
// minute or two, which a shape with one worker absorbs on its idle core and a shape with two takes from training (it
// reports the cores used while settling). --logs keeps every node's output (cluster-logs/), as a shape with a run not
// finished does.
// Reports the wall-clock of each shape and the speedup, and, per run, the time from its last step event (stamped on
// the worker) and from its finished event (stamped on the worker) to that finished event reaching a watcher of the web
// node: median and p95. All processes are on this machine, so the clocks are one. Then where the CPU went in that shape
// (CpuAccounting): each process's CPU seconds, per run and split by thread, and its runnable threads; and the sweep's
// timeline (SweepTimeline): when the first runs started, the handoffs between one slot's runs, when each slot finished.
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"{options.Runs} runs of split-mnist-5; {Environment.ProcessorCount} cores; load average {LoadAverage()}; " +
    (options.Warmup > 0 ? $"warm: {options.Warmup} untimed run(s) per worker first" : "cold: the timed runs are the processes' first") +
    (options.WebEnvironment.Count > 0 ? "; web node with " + string.Join(" ", options.WebEnvironment.Select(v => $"{v.Key}={v.Value}")) : ""));
// Workers record the runs they train, so the cluster has a PostgreSQL of its own (as in the tests; stopped at the end).
using var postgres = new PostgresServer();
// Pairs of shapes one after the other: this machine's speed drifts by several per cent over minutes, so one pair's
// ratio can be luck; the median of a few pairs says more, and so does the ratio of their summed wall-clocks (what running
// every pair's runs on each shape would take), which weighs each run alike.
var speedups = new List<double>();
double oneTotal = 0, twoTotal = 0;
for (int pair = 1; pair <= options.Pairs; pair++)
{
    var one = await Measure(postgres, workers: 1, options);
    var two = await Measure(postgres, workers: 2, options);
    speedups.Add(one.Wall.TotalSeconds / two.Wall.TotalSeconds);
    (oneTotal, twoTotal) = (oneTotal + one.Wall.TotalSeconds, twoTotal + two.Wall.TotalSeconds);
    Console.WriteLine($"speedup 2 workers vs 1{(options.Pairs > 1 ? $" (pair {pair} of {options.Pairs})" : "")}: {speedups[^1]:0.00}x");
}
if (options.Pairs > 1)
{
    double[] sorted = [.. speedups.Order()];
    double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    Console.WriteLine($"speedups {string.Join(", ", speedups.Select(x => x.ToString("0.00")))}; median {median:0.00}x; " +
        $"all pairs' wall-clock {oneTotal:0.0} s vs {twoTotal:0.0} s: {oneTotal / twoTotal:0.00}x");
}
Console.WriteLine($"load average after: {LoadAverage()}");

static async Task<(TimeSpan Wall, double[] FromLastStep, double[] FromFinished)> Measure(PostgresServer postgres, int workers, BenchmarkOptions options)
{
    int runs = options.Runs;
    var database = postgres.CreateDatabase();
    using var redis = new RedisServer();
    var clusterId = "bench-" + Guid.NewGuid().ToString("n")[..8];
    var nodes = new List<ClusterNode>();
    try
    {
        for (int i = 0; i < workers; i++)
            nodes.Add(WithEnvironment(options.WorkerEnvironment, () => ClusterNode.Worker($"worker-{i + 1}", redis.ConnectionString, clusterId, database, slots: 1)));
        await Task.WhenAll(nodes.Select(w => w.Saying("training slot(s)"))).WaitAsync(TimeSpan.FromMinutes(3));
        var web = WithEnvironment(options.WebEnvironment, () => ClusterNode.Web("web", redis.ConnectionString, clusterId, database, slots: workers));
        nodes.Add(web);
        using var http = web.Http();
        while (true)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(web.BaseAddress!, "/hubs/training"))
            .AddJsonProtocol(o => EngineJson.Configure(o.PayloadSerializerOptions)).Build();
        await hub.StartAsync();
        if (options.IdleSeconds > 0)
        {
            // What the cluster costs with nothing to train: membership probes, directory, queue and Redis polls, timers.
            using var idle = Accounting(nodes, workers, web, database);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
            idle.Stop();
            Console.WriteLine($"{workers} worker(s): idle for {idleClock.Elapsed.TotalSeconds:0} s, CPU per second:");
            foreach (var line in idle.Report((int)Math.Round(idleClock.Elapsed.TotalSeconds), idleClock.Elapsed)) Console.WriteLine(line.Replace("/run", "/s"));
        }
        if (options.Warmup > 0)
        {
            var warmup = await Sweep(http, options.Warmup * workers);
            var warmed = await Task.WhenAll(warmup.Select(id => Watch(hub, id)));
            Console.WriteLine($"{workers} worker(s): warm-up {warmed.Count(w => w.Finished)}/{warmup.Length} finished (untimed)");
            if (warmed.Any(w => !w.Finished)) KeepLogs(nodes, workers);
        }
        // Twice: the first burst also pays the JIT of the web node's submit and cancel paths (the warm-up used a sweep).
        for (int round = 1; round <= 2 && options.Burst > 0; round++) await Burst(http, hub, $"{workers} worker(s), burst {round} of 2", options.Burst);

        if (options.SettleSeconds > 0) await Settle(nodes, workers, web, database, options.SettleSeconds);

        using var cpu = Accounting(nodes, workers, web, database);
        var clock = Stopwatch.StartNew();
        var submittedAt = DateTimeOffset.UtcNow;
        var ids = await Sweep(http, runs);
        var watched = await Task.WhenAll(ids.Select(id => Watch(hub, id)));
        var wall = clock.Elapsed;
        cpu.Stop();
        var fromLastStep = watched.Select(w => w.FromLastStep).Order().ToArray();
        var fromFinished = watched.Select(w => w.FromFinished).Order().ToArray();
        int trained = watched.Count(w => w.Finished);
        Console.WriteLine($"{workers} worker(s): {trained}/{runs} finished in {wall.TotalSeconds:0.0} s; " +
            $"last step -> finished at the watcher: median {Percentile(fromLastStep, 0.5):0} ms, p95 {Percentile(fromLastStep, 0.95):0} ms; " +
            $"finished appended -> at the watcher: median {Percentile(fromFinished, 0.5):0} ms, p95 {Percentile(fromFinished, 0.95):0} ms");
        Console.WriteLine("  " + SweepTimeline.Describe(watched.Where(w => w.Finished)
            .Select(w => ((w.Started - submittedAt).TotalSeconds, (w.Ended - submittedAt).TotalSeconds)).ToList(), workers));
        foreach (var line in cpu.Report(runs, wall)) Console.WriteLine(line);
        if (trained < runs || options.KeepLogs) KeepLogs(nodes, workers);
        return (wall, fromLastStep, fromFinished);
    }
    finally
    {
        foreach (var node in nodes) node.Dispose();
    }
}

/// <summary>Lets the warmed-up cluster idle for <paramref name="seconds"/> before the clock starts; prints the cores it used.</summary>
static async Task Settle(List<ClusterNode> nodes, int workers, ClusterNode web, string database, int seconds)
{
    using var settling = Accounting(nodes, workers, web, database);
    var clock = Stopwatch.StartNew();
    var used = new List<double> { 0 }; // CPU seconds of the shape's processes at each second
    for (int second = 1; second <= seconds; second++)
    {
        var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        used.Add(settling.SampleSeconds());
    }
    int last = Math.Min(10, seconds);
    Console.WriteLine($"{workers} worker(s): settled for {seconds} s: {used[^1] / seconds:0.000} cores used on average, " +
        $"{(used[^1] - used[^(last + 1)]) / last:0.000} in the last {last} s");
}

/// <summary>
/// <paramref name="count"/> submissions at once, then as many cancels at once: each request's time to its answer (the
/// web node reserves, stores and queues through the queue grain for each), and every run must end cancelled.
/// </summary>
static async Task Burst(HttpClient http, HubConnection hub, string label, int count)
{
    async Task<(double Ms, HttpResponseMessage Response)> Timed(Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await send();
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response);
    }
    string Summary(string what, (double Ms, HttpResponseMessage Response)[] answers, TimeSpan all)
    {
        var ms = answers.Select(a => a.Ms).Order().ToArray();
        int ok = answers.Count(a => a.Response.IsSuccessStatusCode);
        var refused = answers.Select(a => a.Response).FirstOrDefault(r => !r.IsSuccessStatusCode);
        return $"{what}: {ok}/{answers.Length} succeeded{(refused is null ? "" : $" (one answer: {(int)refused.StatusCode})")}, all answered in {all.TotalMilliseconds:0} ms; each: median {Percentile(ms, 0.5):0} ms, p95 {Percentile(ms, 0.95):0} ms, max {ms[^1]:0} ms";
    }
    var clock = Stopwatch.StartNew();
    var submitted = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Timed(() => http.PostAsJsonAsync("/api/runs", new { preset = "split-mnist-5" }))));
    var submitTime = clock.Elapsed;
    var ids = new List<string>();
    foreach (var (_, response) in submitted)
        if (response.IsSuccessStatusCode) ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    clock.Restart();
    var cancelled = await Task.WhenAll(ids.Select(id => Timed(() => http.PostAsJsonAsync($"/api/runs/{id}/cancel", new { }))));
    var cancelTime = clock.Elapsed;
    var ends = await Task.WhenAll(ids.Select(async id =>
    {
        await foreach (var batch in hub.StreamAsync<RunEvent[]>("WatchBatches", id, null, 1))
            if (batch.FirstOrDefault(e => e.IsTerminal) is { } end) return end.Kind.ToString();
        return "no end";
    }));
    Console.WriteLine($"{label}, {count} at once: " + Summary("submit", submitted, submitTime) + "; " + Summary("cancel", cancelled, cancelTime) +
        $"; ends: {string.Join(", ", ends.CountBy(k => k).Select(g => $"{g.Value} {g.Key}"))}");
}

/// <summary>CPU accounting of every process of the shape (workers, web node, PostgreSQL, Redis, this watcher), started.</summary>
static CpuAccounting Accounting(List<ClusterNode> nodes, int workers, ClusterNode web, string database)
{
    var cpu = new CpuAccounting();
    for (int i = 0; i < workers; i++) { var worker = nodes[i]; cpu.Add(worker.Name, () => worker.ProcessId); }
    cpu.Add("web", () => web.ProcessId);
    cpu.Add("postgres", () => Postmaster(new NpgsqlConnectionStringBuilder(database).Port), withReapedChildren: true);
    cpu.Add("redis", () => ChildNamed("redis-server"));
    cpu.Add("watcher", () => Environment.ProcessId);
    cpu.Start();
    return cpu;
}

/// <summary>Every node's output to cluster-logs/&lt;shape&gt;-&lt;node&gt;.log (a run ended other than finished, or --logs).</summary>
static void KeepLogs(List<ClusterNode> nodes, int workers)
{
    Directory.CreateDirectory("cluster-logs");
    foreach (var node in nodes) File.WriteAllText(Path.Combine("cluster-logs", $"{workers}w-{node.Name}.log"), node.Output);
    Console.WriteLine($"the nodes' output is in {Path.GetFullPath("cluster-logs")}");
}

/// <summary>Submits <paramref name="runs"/> runs of split-mnist-5 as one sweep; their ids.</summary>
static async Task<string[]> Sweep(HttpClient http, int runs)
{
    var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { preset = "split-mnist-5" }, seeds = runs });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
}

/// <summary>Starts a process with these variables added to this one's environment (a child copies it when started).</summary>
static T WithEnvironment<T>(IReadOnlyDictionary<string, string> variables, Func<T> start)
{
    var before = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
    foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
    try { return start(); }
    finally { foreach (var (name, value) in before) Environment.SetEnvironmentVariable(name, value); }
}

static async Task<(bool Finished, double FromLastStep, double FromFinished, DateTimeOffset Started, DateTimeOffset Ended)> Watch(HubConnection hub, string id)
{
    RunEvent? lastStep = null;
    var started = DateTimeOffset.MinValue;
    // As a class or a script watches: WatchBatches at full speed (null pace), every event available at once per message.
    await foreach (var batch in hub.StreamAsync<RunEvent[]>("WatchBatches", id, null, 1))
    {
        foreach (var e in batch)
        {
            if (e.Kind == RunEventKind.Step) lastStep = e;
            if (e.Kind == RunEventKind.Started) started = e.Time;
            if (!e.IsTerminal) continue;
            var now = DateTimeOffset.UtcNow;
            if (e.Kind != RunEventKind.Finished) Console.WriteLine($"run {id} ended {e.Kind}{(e.Interrupted == true ? " (interrupted)" : "")}: {e.Message}");
            return (e.Kind == RunEventKind.Finished, (now - (lastStep?.Time ?? e.Time)).TotalMilliseconds, (now - e.Time).TotalMilliseconds, started, e.Time);
        }
    }
    return (false, double.NaN, double.NaN, started, DateTimeOffset.MinValue);
}

// The PostgreSQL server listening on the port (its cmdline has "-p <port>"); this process's redis-server child.
static int? Postmaster(int port) => Processes().FirstOrDefault(p => p.Name == "postgres" && p.CommandLine.Contains($"-p {port} ")).Pid;
static int? ChildNamed(string name) => Processes().FirstOrDefault(p => p.Name == name && p.Parent == Environment.ProcessId).Pid;

static IEnumerable<(int? Pid, string Name, int Parent, string CommandLine)> Processes()
{
    foreach (var dir in Directory.GetDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        string stat, commandLine;
        try { stat = File.ReadAllText(Path.Combine(dir, "stat")); commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
        int close = stat.LastIndexOf(')');
        yield return (pid, stat[(stat.IndexOf('(') + 1)..close], int.Parse(stat[(close + 2)..].Split(' ')[1]), commandLine);
    }
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
