using System.Diagnostics;
using System.Text.Json;
using ContinualLearning.Benchmarks;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;
using TorchSharp;

// Usage: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- overhead [repeats, default 41]
//        dotnet run -c Release --project benchmarks/Engine.Benchmarks -- memory [runs]
//        DOTNET_GCgen0size=0x80000 dotnet run -c Release --project benchmarks/Engine.Benchmarks -- soak [runs, default 100]
var command = args.FirstOrDefault() ?? "overhead";
var catalog = new DataSetCatalog(dataDirectory: null);
var data = catalog.Load(DataSetCatalog.BundledMnist);
var config = new RunConfig(); // the seed experiment, live evaluation every 10 steps

object report = command switch
{
    "overhead" => Overhead(int.Parse(args.ElementAtOrDefault(1) ?? "41")),
    "memory" => Memory(int.Parse(args.ElementAtOrDefault(1) ?? "100")),
    "soak" => ScalarRaceSoak.Run(catalog, int.Parse(args.ElementAtOrDefault(1) ?? "100")),
    _ => throw new ArgumentException($"unknown benchmark '{command}': use overhead, memory or soak"),
};
Console.WriteLine(JsonSerializer.Serialize(report, EngineJson.Indented));

// The engine against the same work written as a plain TorchSharp loop, interleaved so drift hits both alike.
object Overhead(int repeats)
{
    var engineMs = new List<double>();
    var plainMs = new List<double>();
    double[][]? engineMatrix = null, plainMatrix = null;
    Engine(); PlainLoop.Run(config, data); // warm-up: JIT, libtorch kernels
    for (int i = 0; i < repeats; i++)
    {
        // Alternate which goes first, so neither always runs on a machine warmed (or disturbed) by the other.
        for (int turn = 0; turn < 2; turn++)
        {
            var clock = Stopwatch.StartNew();
            if ((i + turn) % 2 == 0) { engineMatrix = Engine(); engineMs.Add(clock.Elapsed.TotalMilliseconds); }
            else { plainMatrix = PlainLoop.Run(config, data); plainMs.Add(clock.Elapsed.TotalMilliseconds); }
        }
    }
    double engine = Median(engineMs), plain = Median(plainMs);
    return new
    {
        benchmark = "engine vs plain TorchSharp loop, seed experiment on mnist-10k, live evaluation every 10 steps",
        repeats, engineMedianMs = Math.Round(engine, 1), plainMedianMs = Math.Round(plain, 1), ratio = Math.Round(engine / plain, 3),
        sameAccuracyMatrix = engineMatrix!.Zip(plainMatrix!).All(p => p.First.SequenceEqual(p.Second)),
        engineAccuracyMatrix = engineMatrix, plainAccuracyMatrix = plainMatrix,
    };
}

double[][] Engine()
{
    using var run = new TrainingRun(config, catalog);
    run.Execute();
    return run.Result!.AccuracyMatrix;
}

// Many runs in one process: resident memory must level off and live tensors come back to where they started.
// The baseline is taken after a few warm-up runs, because glibc's and libtorch's allocators grow their pools
// over the first runs (the whole curve is printed, from a single warm-up run onwards).
object Memory(int runs)
{
    const int warmUp = 10;
    var (rssStart, _, _) = Snapshot();
    var rssAlong = new List<double>();
    for (int i = 0; i < warmUp; i++) { Engine(); rssAlong.Add(Snapshot().RssMb); }
    var (rssBefore, liveBefore, countedBefore) = Snapshot();
    for (int i = 1; i <= runs; i++)
    {
        Engine();
        if (i % Math.Max(1, runs / 10) == 0) rssAlong.Add(Snapshot().RssMb);
    }
    var (rssAfter, liveAfter, countedAfter) = Snapshot();
    return new
    {
        benchmark = $"{runs} seed runs in one process after {warmUp} warm-up runs",
        runs, rssBeforeWarmUpMb = rssStart, rssBeforeMb = rssBefore, rssAfterMb = rssAfter, rssGrowthMb = Math.Round(rssAfter - rssBefore, 1),
        rssCurveMb = rssAlong,
        liveTensorsBefore = liveBefore, liveTensorsAfter = liveAfter,
        torchSharpTensorCounterBefore = countedBefore, torchSharpTensorCounterAfter = countedAfter,
    };
}

// Live tensors: TorchSharp's per-thread count of tensors not yet disposed (runs execute on this thread).
// Tensor.TotalCount is reported too; it also counts wrappers TorchSharp's own Linear constructor never disposes.
static (double RssMb, long LiveTensors, long TensorCounter) Snapshot()
{
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    using var self = Process.GetCurrentProcess();
    return (Math.Round(self.WorkingSet64 / 1048576.0, 1), DisposeScopeManager.Statistics.ThreadTotalLiveCount, torch.Tensor.TotalCount);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
