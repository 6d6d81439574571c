namespace ContinualLearning.Cluster.Benchmarks;

/// <summary>The benchmark's command line: [runs] [--warmup N] [--web-env NAME=VALUE ...].</summary>
sealed record BenchmarkOptions(int Runs, int Warmup, IReadOnlyDictionary<string, string> WebEnvironment)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        int runs = 16, warmup = 1;
        var web = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--warmup" && i + 1 < args.Length && int.TryParse(args[i + 1], out var w) && w >= 0) { warmup = w; i++; }
            else if (args[i] == "--web-env" && i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } name, var value]) { web[name] = value; i++; }
            else if (int.TryParse(args[i], out var r) && r > 0) runs = r;
            else throw new ArgumentException($"Unknown argument '{args[i]}': expected [runs] [--warmup N] [--web-env NAME=VALUE]");
        }
        return new(runs, warmup, web);
    }
}
