namespace ContinualLearning.Cluster.Benchmarks;

/// <summary>
/// Where a sweep's wall-clock went besides training, from each run's started and ended times (stamped on the worker that
/// trained it, relative to the sweep's submission): how long until the first runs started, the gaps between one slot's
/// runs (a run ends, the queue places the next), and how far apart the slots' last runs ended (the sweep's tail, where
/// one core has nothing left to train). Runs are given to slots the way one-slot workers take them: each run goes to the
/// slot that became free last before it started. Each slot's run durations, in order, show how a worker's runs speed up
/// as its process warms (tier-1 code with profile for the training loop comes after a few runs).
/// </summary>
static class SweepTimeline
{
    public static string Describe(IReadOnlyList<(double Started, double Ended)> runs, int slots)
    {
        var ends = new List<double>();
        var firstStarts = new List<double>();
        var durations = new List<List<double>>();
        var gaps = new List<double>();
        foreach (var (started, ended) in runs.OrderBy(r => r.Started))
        {
            int free = -1;
            for (int s = 0; s < ends.Count; s++)
                if (ends[s] <= started + 0.001 && (free < 0 || ends[s] > ends[free])) free = s;
            if (free < 0 && ends.Count < slots) { ends.Add(ended); firstStarts.Add(started); durations.Add([ended - started]); continue; }
            if (free < 0) return $"timeline: more than {slots} runs at once (slots could not be told apart)";
            gaps.Add(started - ends[free]);
            ends[free] = ended;
            durations[free].Add(ended - started);
        }
        gaps.Sort();
        string median = gaps.Count == 0 ? "n/a" : $"{gaps[gaps.Count / 2] * 1000:0} ms";
        return $"timeline: first runs started at {string.Join(" / ", firstStarts.Select(t => $"{t:0.00}"))} s; " +
            $"{gaps.Count} handoff(s) took {gaps.Sum():0.00} s in all (median {median}, max {(gaps.Count == 0 ? 0 : gaps[^1] * 1000):0} ms); " +
            $"slots' last runs ended at {string.Join(" / ", ends.Order().Select(t => $"{t:0.0}"))} s; " +
            $"run durations per slot, in order: {string.Join(" / ", durations.Select(d => string.Join(" ", d.Select(x => $"{x:0.0}"))))} s";
    }
}
