using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using ContinualLearning.History.Benchmarks;
using ContinualLearning.Storage;

// History benchmarks (speed lives here, not in tests):
//   persistence  seed-preset training throughput with the run recorded to SQLite vs not (target on/off >= 0.95)
//   store        opening the database and listing 1,000 stored runs (each with its full event history); in PostgreSQL
//                when ConnectionStrings__Runs names an empty database, else SQLite
//   page         the dashboard's /history page with those 1,000 runs, in chromium, until the grid shows rows (target < 1 s)
// Usage: dotnet run -c Release --project benchmarks/History.Benchmarks -- [persistence|store|page|all] [pairs]
var which = args.FirstOrDefault() ?? "all";
int pairs = args.Length > 1 ? int.Parse(args[1]) : 15;
var catalog = new DataSetCatalog();
var folder = Path.Combine(Path.GetTempPath(), "cl-history-bench-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
try
{
    Console.WriteLine($"History benchmarks, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    if (which is "persistence" or "all") Persistence(pairs);
    if (which is "store" or "page" or "all")
    {
        var path = Path.Combine(folder, "runs.db");
        FillThousandRuns(path);
        if (which is "store" or "all") ListFromStore(path);
        if (which is "page" or "all") await HistoryPage.Measure(folder);
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

// Alternates off/on runs of the seed preset so drift on a shared machine hits both alike; compares medians.
void Persistence(int pairs)
{
    // Train as the dashboard does (TorchThreads default: cores - 1), leaving a core for serving and recording.
    TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount - 1));
    using var store = RunStore.Open(Path.Combine(folder, "throughput.db"));
    var config = new RunConfig(); // the seed: Split MNIST 0-4|5-9, linear, SGD 0.01, batch 64, 1 epoch, full speed
    for (int i = 0; i < 3; i++) Train(config, null); // warm-up: JIT, data load, libtorch
    var off = new List<double>();
    var on = new List<double>();
    var onStored = new List<double>();
    var lag = new List<double>();
    var pairRatios = new List<double>();
    var writeShares = new List<double>();
    for (int i = 0; i < pairs; i++)
    {
        // Alternate which goes first, so a pair never systematically favours one side.
        var first = i % 2 == 0 ? Train(config, null) : Train(config, store);
        var second = i % 2 == 0 ? Train(config, store) : Train(config, null);
        var (plain, recorded) = i % 2 == 0 ? (first, second) : (second, first);
        off.Add(plain.Training);
        on.Add(recorded.Training);
        onStored.Add(recorded.Stored);
        lag.Add(recorded.LagMs);
        pairRatios.Add(recorded.Training / plain.Training);
        writeShares.Add(recorded.WriteShare);
    }
    double medianOff = Stats.Median(off), medianOn = Stats.Median(on), medianStored = Stats.Median(onStored);
    Console.WriteLine($"persistence: seed preset, {pairs} runs each, alternating off/on; training steps/s median off {medianOff:0}, on {medianOn:0}: ratio on/off {medianOn / medianOff:0.000} (target >= 0.95)");
    Console.WriteLine($"persistence: median of the {pairs} per-pair ratios (each pair back to back, so they share the machine's load): {Stats.Median(pairRatios):0.000}");
    Console.WriteLine($"persistence: the recorder's own writing (serialise + commit, on its own thread) takes {100 * Stats.Median(writeShares):0.0}% of a run's training time (median)");
    Console.WriteLine($"persistence: counting until the last event is in the database: {medianStored:0} steps/s, ratio {medianStored / medianOff:0.000}; last write lands {Stats.Median(lag):0.0} ms (median) after training ends");
}

// Steps per second of training (start to the run's end), and until its last event is stored when recording.
(double Training, double Stored, double LagMs, double WriteShare) Train(RunConfig config, IRunStore? store)
{
    using var run = new TrainingRun(config, catalog);
    var clock = Stopwatch.StartNew();
    var recording = store?.Record(run);
    run.Execute();
    var trained = clock.Elapsed;
    recording?.Completion.GetAwaiter().GetResult();
    var stored = clock.Elapsed;
    long steps = run.Events.Snapshot().Max(e => e.Step ?? 0);
    double writeShare = recording is null ? 0 : recording.WriteTime / trained;
    return (steps / trained.TotalSeconds, steps / stored.TotalSeconds, (stored - trained).TotalMilliseconds, writeShare);
}

// One real run's events, copied under 1,000 ids with varied configs: listing must not depend on event volume.
void FillThousandRuns(string path)
{
    using var store = RunStore.Open(Environment.GetEnvironmentVariable("ConnectionStrings__Runs"), path);
    using var template = new TrainingRun(new RunConfig { Strategy = "replay" }, catalog);
    template.Execute();
    var events = template.Events.Snapshot();
    var fill = Stopwatch.StartNew();
    for (int i = 0; i < 1000; i++)
    {
        var id = $"run{i:0000}";
        var config = new RunConfig { Strategy = i % 3 == 0 ? "naive" : "replay", ReplayRatio = i % 10 / 10.0, Seed = i % 7 };
        store.AddRun(id, config, DateTimeOffset.UtcNow.AddSeconds(-i));
        store.AppendEvents(id, events.Select(e => e with { RunId = id }).ToArray());
    }
    Console.WriteLine($"store: 1,000 runs × {events.Count} events written to {store.Location} in {fill.Elapsed.TotalSeconds:0.0} s" +
        (File.Exists(path) ? $" ({new FileInfo(path).Length / 1e6:0} MB)" : ""));
}

void ListFromStore(string path)
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    var times = new List<double>();
    for (int i = 0; i < 7; i++)
    {
        var clock = Stopwatch.StartNew();
        using var store = RunStore.Open(Environment.GetEnvironmentVariable("ConnectionStrings__Runs"), path); // cold open each time, as on server start
        var list = store.ListRuns();
        clock.Stop();
        if (list.Count != 1000) throw new InvalidOperationException($"listed {list.Count} runs");
        times.Add(clock.Elapsed.TotalMilliseconds);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
    Console.WriteLine($"store: open + list 1,000 runs: median {Stats.Median(times):0.0} ms, max {times.Max():0.0} ms over {times.Count}");
}
