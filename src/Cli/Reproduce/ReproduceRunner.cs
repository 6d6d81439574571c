using System.Collections.Concurrent;
using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>
/// The outcome of one cell: the results of its finished seeds in seed order (empty when skipped), the stored run ids, a
/// failure if a seed failed, and how many seeds were cancelled (an interrupted reproduce).
/// </summary>
public sealed record CellOutcome(ReproduceCell Cell, IReadOnlyList<RunResult> Results, IReadOnlyList<string> RunIds, string? GroupId, string? Failure, int Cancelled);

/// <summary>
/// Runs every planned run of the cells on <c>workers</c> threads at once (libtorch limited to one intra-op thread each,
/// so the runs do not fight over the cores), storing each in the run store as the dashboard does: every cell is a repeat
/// group named "reproduce {date} · {strategy} · {scenario}", its runs recorded event by event, so History and Compare show them.
/// Seed by seed: the first seed of every cell runs before any second seed, so an interrupted reproduce still has a whole
/// table of fewer seeds. Cancelled, every run still ends (the ones not started as cancelled) and is stored so.
/// </summary>
public sealed class ReproduceRunner(IRunStore store, DataSetCatalog catalog, int workers, TextWriter progress)
{
    readonly Lock output = new();

    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<ReproduceCell> cells, DateTimeOffset startedAt, CancellationToken ct)
    {
        var byCell = new Dictionary<int, TrainingRun[]>();
        var groups = new Dictionary<int, string>();
        foreach (var (cell, index) in cells.Select((c, i) => (c, i)).Where(x => x.c.Repeat is not null))
        {
            var created = cell.Configs.Select(c => new TrainingRun(c, catalog, budget: RunBudget.Unlimited)).ToArray();
            var name = $"reproduce {startedAt:yyyy-MM-dd HH:mm}Z · {cell.Strategy} · {cell.Scenario}";
            var groupId = Guid.NewGuid().ToString("n")[..12];
            store.AddRuns(created.Select(r => new NewRun(r.Id, r.Config, r.CreatedAt)).ToArray(),
                new NewSweep(groupId, ReproducePlan.SpecJson(cell.Repeat!), name, startedAt));
            groups[index] = groupId;
            byCell[index] = created;
        }
        var runs = byCell.SelectMany(c => c.Value.Select((run, seed) => (Cell: c.Key, Seed: seed, Run: run)))
            .OrderBy(r => r.Seed).ThenBy(r => r.Cell).ToArray();

        int done = 0;
        try
        {
            // NoBuffering: each worker takes the next run in order, so seeds finish in order.
            Parallel.ForEach(Partitioner.Create(runs, EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = workers }, item =>
            {
                if (ct.IsCancellationRequested) item.Run.Control.Cancel(); // ends at once as cancelled, and is stored so
                using var cancel = ct.Register(item.Run.Control.Cancel);
                var recording = store.Follow(item.Run);
                var clock = Stopwatch.StartNew();
                item.Run.Execute();
                recording.Completion.GetAwaiter().GetResult();
                if (item.Run.StartedAt is null) return;
                var cell = cells[item.Cell];
                var outcome = item.Run.Result is { } r ? $"average accuracy {r.AverageAccuracy:0.0}%" : $"{item.Run.Status.ToString().ToLowerInvariant()}: {item.Run.Error ?? "cancelled"}";
                var saved = recording.Saved ? "" : $" (not saved: {recording.Error ?? "the run database could not be written"})";
                lock (output)
                    progress.WriteLine($"run {Interlocked.Increment(ref done)}/{runs.Length}: {cell.Strategy}, {cell.Scenario}, seed {item.Run.Config.Seed}: {outcome} in {clock.Elapsed.TotalSeconds:0.0} s{saved}");
            });
        }
        finally
        {
            foreach (var run in byCell.Values.SelectMany(r => r)) run.Dispose();
        }

        return cells.Select((cell, index) =>
        {
            var own = byCell.GetValueOrDefault(index) ?? [];
            var failed = own.FirstOrDefault(r => r.Status == RunStatus.Failed);
            return new CellOutcome(cell, own.Where(r => r.Result is not null).Select(r => r.Result!).ToArray(), own.Select(r => r.Id).ToArray(),
                groups.GetValueOrDefault(index), failed is null ? null : $"seed {failed.Config.Seed} failed: {failed.Error}",
                own.Count(r => r.Status == RunStatus.Cancelled));
        }).ToArray();
    }
}
