namespace ContinualLearning.Cluster.Benchmarks;

/// <summary>The benchmark's command line: [runs] [--warmup N] [--pairs N] [--idle SECONDS] [--burst N] [--web-env NAME=VALUE ...] [--worker-env NAME=VALUE ...] [--settle SECONDS] [--logs].</summary>
sealed record BenchmarkOptions(int Runs, int Warmup, int Pairs, int IdleSeconds, int Burst, IReadOnlyDictionary<string, string> WebEnvironment, IReadOnlyDictionary<string, string> WorkerEnvironment, int SettleSeconds, bool KeepLogs)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        int runs = 16, warmup = 1, pairs = 1, idle = 0, burst = 0, settle = 0;
        bool logs = false;
        var web = new Dictionary<string, string>();
        var worker = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--warmup" && i + 1 < args.Length && int.TryParse(args[i + 1], out var w) && w >= 0) { warmup = w; i++; }
            else if (args[i] == "--pairs" && i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p > 0) { pairs = p; i++; }
            else if (args[i] == "--idle" && i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s >= 0) { idle = s; i++; }
            else if (args[i] == "--burst" && i + 1 < args.Length && int.TryParse(args[i + 1], out var b) && b is >= 0 and <= 60) { burst = b; i++; }
            else if (args[i] is "--web-env" or "--worker-env" && i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } name, var value])
            {
                (args[i] == "--web-env" ? web : worker)[name] = value;
                i++;
            }
            else if (args[i] == "--settle" && i + 1 < args.Length && int.TryParse(args[i + 1], out var q) && q >= 0) { settle = q; i++; }
            else if (args[i] == "--logs") logs = true;
            else if (int.TryParse(args[i], out var r) && r > 0) runs = r;
            else throw new ArgumentException($"Unknown argument '{args[i]}': expected [runs] [--warmup N] [--pairs N] [--idle SECONDS] [--burst N (at most 60, the owner's quota)] [--web-env NAME=VALUE] [--worker-env NAME=VALUE] [--settle SECONDS] [--logs]");
        }
        return new(runs, warmup, pairs, idle, burst, web, worker, settle, logs);
    }
}
