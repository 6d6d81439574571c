using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>The outcome of one cell: per-seed results in seed order (empty when skipped), the stored run ids and any failure.</summary>
public sealed record CellOutcome(ReproduceCell Cell, IReadOnlyList<RunResult> Results, IReadOnlyList<string> RunIds, string? GroupId, string? Failure);

/// <summary>
/// Runs every planned run of the cells on <c>workers</c> threads at once (libtorch limited to one intra-op thread each,
/// so the runs do not fight over the cores), storing each in the run store as the dashboard does: every cell is a repeat
/// group named "reproduce {date} · {strategy} · {scenario}", its runs recorded event by event, so History and Compare show them.
/// </summary>
public sealed class ReproduceRunner(IRunStore store, DataSetCatalog catalog, int workers, TextWriter progress)
{
    readonly Lock output = new();

    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<ReproduceCell> cells, DateTimeOffset startedAt, CancellationToken ct)
    {
        var runs = new List<(int Cell, int Seed, TrainingRun Run)>();
        var groups = new Dictionary<int, string>();
        foreach (var (cell, index) in cells.Select((c, i) => (c, i)).Where(x => x.c.Repeat is not null))
        {
            var created = cell.Configs.Select(c => new TrainingRun(c, catalog, budget: RunBudget.Unlimited)).ToArray();
            var name = $"reproduce {startedAt:yyyy-MM-dd HH:mm}Z · {cell.Strategy} · {cell.Scenario}";
            var groupId = Guid.NewGuid().ToString("n")[..12];
            store.AddRuns(created.Select(r => new NewRun(r.Id, r.Config, r.CreatedAt)).ToArray(),
                new NewSweep(groupId, ReproducePlan.SpecJson(cell.Repeat!), name, startedAt));
            groups[index] = groupId;
            runs.AddRange(created.Select((r, seed) => (index, seed, r)));
        }

        int done = 0;
        try
        {
            Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, item =>
            {
                using var cancel = ct.Register(item.Run.Control.Cancel);
                var recording = store.Follow(item.Run);
                var clock = Stopwatch.StartNew();
                item.Run.Execute();
                recording.Completion.GetAwaiter().GetResult();
                var cell = cells[item.Cell];
                var outcome = item.Run.Result is { } r ? $"average accuracy {r.AverageAccuracy:0.0}%" : $"{item.Run.Status.ToString().ToLowerInvariant()}: {item.Run.Error}";
                var saved = recording.Saved ? "" : $" (not saved: {recording.Error ?? "the run database could not be written"})";
                lock (output)
                    progress.WriteLine($"run {Interlocked.Increment(ref done)}/{runs.Count}: {cell.Strategy}, {cell.Scenario}, seed {item.Run.Config.Seed}: {outcome} in {clock.Elapsed.TotalSeconds:0.0} s{saved}");
            });
        }
        finally
        {
            foreach (var (_, _, run) in runs) run.Dispose();
        }

        return cells.Select((cell, index) =>
        {
            var own = runs.Where(r => r.Cell == index).OrderBy(r => r.Seed).Select(r => r.Run).ToArray();
            var failed = own.FirstOrDefault(r => r.Result is null);
            return new CellOutcome(cell, failed is null ? own.Select(r => r.Result!).ToArray() : [], own.Select(r => r.Id).ToArray(), groups.GetValueOrDefault(index),
                failed is null ? null : $"seed {failed.Config.Seed} {failed.Status.ToString().ToLowerInvariant()}: {failed.Error ?? "cancelled"}");
        }).ToArray();
    }
}
