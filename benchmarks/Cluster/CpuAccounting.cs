using System.Globalization;

namespace ContinualLearning.Cluster.Benchmarks;

/// <summary>
/// Where the CPU of one benchmark shape goes, from /proc (Linux): CPU seconds (user + system) of each process of the
/// cluster over the shape, split by thread name (".NET Long Running Task" is a run's training thread, ".NET TP Worker"
/// the thread pool, ".NET Server GC"/".NET BGC" the collector; libtorch/OpenMP threads carry the process's name), and
/// how many of each process's threads were runnable when sampled (what the load average counts). Threads that end
/// keep the CPU of their last sample; a process's own total (utime + stime, and for PostgreSQL the ended backends it
/// reaped, cutime + cstime) is exact, and what no thread sample saw is reported beside the threads: on a worker that
/// is mostly each run's training thread after its last sample (it ends with its run), half a second per run on average.
/// </summary>
sealed class CpuAccounting : IDisposable
{
    static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux the benchmark runs on

    readonly List<(string Name, Func<int?> Pid, bool WithReapedChildren)> processes = [];
    readonly Dictionary<string, Dictionary<int, (string Thread, long Ticks)>> threads = [];
    /// <summary>Each thread's CPU at the first sample: thread figures count from there (a process's start-up is not the shape's).</summary>
    readonly Dictionary<string, Dictionary<int, long>> threadsAtStart = [];
    readonly Dictionary<string, long> startTicks = [], lastTicks = [];
    readonly Dictionary<string, (long Samples, long Runnable, long Threads)> runnable = [];
    readonly Lock gate = new();
    readonly CancellationTokenSource stop = new();
    Task? sampling;

    /// <summary>Accounts a process; <paramref name="pid"/> is asked until it answers (null: not found), then kept.</summary>
    public void Add(string name, Func<int?> pid, bool withReapedChildren = false)
    {
        int? found = null;
        processes.Add((name, () => found ??= pid(), withReapedChildren));
    }

    /// <summary>Takes the starting figures and samples each second until disposed or <see cref="Stop"/>.</summary>
    public void Start()
    {
        foreach (var (name, pid, reaped) in processes)
            startTicks[name] = pid() is { } p ? ProcessTicks(p, reaped) ?? 0 : 0;
        Sample();
        sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(1000, stop.Token); } catch (OperationCanceledException) { break; }
                Sample();
            }
        });
    }

    public void Stop()
    {
        stop.Cancel();
        sampling?.Wait();
        Sample();
    }

    /// <summary>Samples now; the CPU seconds of all the processes since <see cref="Start"/>.</summary>
    public double SampleSeconds()
    {
        Sample();
        lock (gate) return processes.Sum(p => lastTicks.GetValueOrDefault(p.Name) - startTicks.GetValueOrDefault(p.Name)) / TicksPerSecond;
    }

    void Sample()
    {
        lock (gate)
        {
            foreach (var (name, pid, reaped) in processes)
            {
                if (pid() is not { } p) continue;
                if (ProcessTicks(p, reaped) is { } total) lastTicks[name] = total;
                // PostgreSQL's backends are processes of their own: count them as the postmaster's threads.
                var ids = reaped ? ChildrenOf(p).Prepend(p).SelectMany(c => Tasks(c)) : Tasks(p);
                var known = threads.TryGetValue(name, out var k) ? k : threads[name] = [];
                var first = threadsAtStart.TryGetValue(name, out var f) ? null : threadsAtStart[name] = [];
                long running = 0, count = 0;
                foreach (var (tid, stat) in ids)
                {
                    count++;
                    if (stat.State == 'R') running++;
                    known[tid] = (stat.Name, stat.Ticks);
                    first?.TryAdd(tid, stat.Ticks);
                }
                var before = runnable.GetValueOrDefault(name);
                runnable[name] = (before.Samples + 1, before.Runnable + running, before.Threads + count);
            }
        }
    }

    /// <summary>The report: per process CPU seconds (and per run), its biggest thread groups, threads and runnable on average.</summary>
    public IReadOnlyList<string> Report(int runs, TimeSpan wall)
    {
        var lines = new List<string>();
        lock (gate)
        {
            double all = 0;
            foreach (var (name, _, _) in processes)
            {
                double seconds = (lastTicks.GetValueOrDefault(name) - startTicks.GetValueOrDefault(name)) / TicksPerSecond;
                all += seconds;
                var (samples, running, count) = runnable.GetValueOrDefault(name);
                var atStart = threadsAtStart.GetValueOrDefault(name) ?? [];
                var perThread = threads.GetValueOrDefault(name)?
                    .Select(t => (t.Value.Thread, Seconds: (t.Value.Ticks - atStart.GetValueOrDefault(t.Key)) / TicksPerSecond)).ToArray() ?? [];
                var groups = perThread.GroupBy(t => t.Thread).Select(g => (Thread: g.Key, Seconds: g.Sum(t => t.Seconds), Count: g.Count()))
                    .OrderByDescending(g => g.Seconds).Take(6);
                double threadsOnAverage = samples == 0 ? 0 : (double)count / samples, runnableOnAverage = samples == 0 ? 0 : (double)running / samples;
                // What no sample saw: threads that ended (after their last sample) or came and went between two samples.
                double unsampled = seconds - perThread.Sum(t => t.Seconds);
                lines.Add(FormattableString.Invariant(
                    $"  cpu {name,-10} {seconds,7:0.0} s ({seconds / runs,5:0.00} s/run, {seconds / wall.TotalSeconds,4:0.00} cores); threads {threadsOnAverage,5:0.0}, runnable {runnableOnAverage,4:0.00}; ") +
                    string.Join(", ", groups.Select(g => FormattableString.Invariant($"'{g.Thread}' x{g.Count} {g.Seconds:0.0}s"))) +
                    FormattableString.Invariant($"; ended threads after their last sample {unsampled:0.0}s"));
            }
            lines.Add(FormattableString.Invariant(
                $"  cpu all        {all,7:0.0} s ({all / runs,5:0.00} s/run, {all / wall.TotalSeconds,4:0.00} cores of {Environment.ProcessorCount})"));
        }
        return lines;
    }

    static long? ProcessTicks(int pid, bool withReapedChildren)
    {
        var stat = Stat($"/proc/{pid}/stat");
        if (stat is null) return null;
        long ticks = stat.Value.Ticks + (withReapedChildren ? stat.Value.ChildTicks : 0);
        if (withReapedChildren) ticks += ChildrenOf(pid).Sum(c => Stat($"/proc/{c}/stat")?.Ticks ?? 0);
        return ticks;
    }

    static IEnumerable<(int Tid, (string Name, char State, long Ticks, long ChildTicks, int Parent) Stat)> Tasks(int pid)
    {
        string[] tids;
        try { tids = Directory.GetDirectories($"/proc/{pid}/task"); } catch (IOException) { yield break; } catch (UnauthorizedAccessException) { yield break; }
        foreach (var dir in tids)
            if (int.TryParse(Path.GetFileName(dir), out var tid) && Stat(Path.Combine(dir, "stat")) is { } stat) yield return (tid, stat);
    }

    static IEnumerable<int> ChildrenOf(int pid)
    {
        string children;
        try { children = File.ReadAllText($"/proc/{pid}/task/{pid}/children"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        return children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    }

    /// <summary>/proc/…/stat: comm (field 2), state (3), ppid (4), utime + stime (14, 15), cutime + cstime (16, 17).</summary>
    static (string Name, char State, long Ticks, long ChildTicks, int Parent)? Stat(string path)
    {
        string text;
        try { text = File.ReadAllText(path); } catch (IOException) { return null; } catch (UnauthorizedAccessException) { return null; }
        int open = text.IndexOf('('), close = text.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var fields = text[(close + 2)..].Split(' '); // fields[0] is field 3 (state)
        if (fields.Length < 15) return null;
        long F(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return (text[(open + 1)..close], fields[0][0], F(14) + F(15), F(16) + F(17), (int)F(4));
    }

    public void Dispose()
    {
        if (!stop.IsCancellationRequested) Stop();
        stop.Dispose();
    }
}
