using System.CommandLine;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Sweeps;
using ContinualLearning.Storage;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>
/// `continual reproduce`: van de Ven, Tuytelaars &amp; Tolias (2022)'s split MNIST protocol for every registered strategy
/// in the three scenarios over N seeds, printed beside the paper's figures, every run stored in the run database.
/// </summary>
public static class ReproduceCommand
{
    public static readonly string[] DataSets = [DataSetCatalog.BundledMnist, DataSetCatalog.Mnist, DataSetCatalog.FashionMnist];
    public static readonly string[] Budgets = ["ci", "paper"];

    public static Command Create(Option<bool> json)
    {
        var seeds = new Option<int>("--seeds") { Description = $"Seeds per strategy and scenario: 0, 1, … (1-{SweepValidator.MaxSeeds}, default 3)", DefaultValueFactory = _ => 3 };
        var budget = new Option<string>("--budget") { Description = $"Iterations per task: ci ({ReproducePlan.CiIterations}, CI-sized, the default) or paper ({Presets.PaperIterations:N0}, the paper's protocol)", DefaultValueFactory = _ => "ci" };
        var iterations = new Option<int?>("--iterations-per-task") { Description = "Iterations per task; overrides --budget (e.g. a tiny smoke test)" };
        var dataset = new Option<string>("--dataset") { Description = $"Data set: {string.Join(", ", DataSets)} (default {DataSetCatalog.BundledMnist}, bundled)", DefaultValueFactory = _ => DataSetCatalog.BundledMnist };
        var strategies = new Option<string?>("--strategies") { Description = $"Comma-separated strategies (default all: {string.Join(", ", StrategyRegistry.Names)})" };
        var scenarios = new Option<string?>("--scenarios") { Description = $"Comma-separated scenarios (default all three: {string.Join(", ", PaperFigures.ScenarioOrder)})" };
        var workers = new Option<int?>("--workers") { Description = $"Runs trained at once, one libtorch thread each (default: one per core, {Environment.ProcessorCount} here)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data folder: full data sets are looked for in {folder}/{dataset}, runs are stored in {folder}/runs.db (default ~/.local/share/ContinualLearning/data, the dashboard's)" };
        var command = new Command("reproduce",
            "Run van de Ven et al. (2022) \"Three types of incremental learning\"'s split MNIST protocol for every strategy in the task-, domain- and " +
            "class-incremental scenarios over N seeds, and print our average accuracies beside the paper's. Runs are stored in the run database (History, Compare).")
        {
            seeds, budget, iterations, dataset, strategies, scenarios, workers, dataDir, json,
        };
        command.SetAction(parse =>
        {
            var errors = new List<string>();
            int seedCount = parse.GetValue(seeds);
            if (seedCount is < 1 or > SweepValidator.MaxSeeds) errors.Add($"--seeds must be between 1 and {SweepValidator.MaxSeeds}");
            var budgetName = parse.GetValue(budget) ?? "ci";
            if (!Budgets.Contains(budgetName)) errors.Add($"--budget must be one of {string.Join(", ", Budgets)}");
            int perTask = parse.GetValue(iterations) ?? ReproducePlan.Iterations(budgetName);
            if (perTask < 1) errors.Add("--iterations-per-task must be at least 1");
            var data = parse.GetValue(dataset) ?? DataSetCatalog.BundledMnist;
            if (!DataSets.Contains(data)) errors.Add($"--dataset must be one of {string.Join(", ", DataSets)}");
            var chosen = List(parse.GetValue(strategies), StrategyRegistry.Names, "--strategies", errors);
            var chosenScenarios = List(parse.GetValue(scenarios), PaperFigures.ScenarioOrder, "--scenarios", errors);
            int workerCount = parse.GetValue(workers) ?? Environment.ProcessorCount;
            if (workerCount < 1) errors.Add("--workers must be at least 1");
            if (errors.Count > 0)
            {
                foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
                return 2;
            }

            var folder = parse.GetValue(dataDir) ?? ConfigOptions.DefaultDataDirectory();
            var catalog = new DataSetCatalog(folder);
            if (!catalog.IsOnDisk(data))
            {
                Console.Error.WriteLine($"error: {Missing(data)}");
                return 1;
            }
            try { catalog.Load(data); }
            catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: data set {data}: {e.Message}");
                return 1;
            }

            var cells = ReproducePlan.Cells(chosen, chosenScenarios, data, perTask, seedCount, catalog);
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            if (workerCount > 1) TorchSharp.torch.set_num_threads(1);
            int total = cells.Sum(c => c.Configs.Count);
            Console.Error.WriteLine($"reproduce: {total} runs ({chosen.Length} strategies × {chosenScenarios.Length} scenarios × {seedCount} seeds, " +
                $"{cells.Count(c => c.Repeat is null)} cells skipped), {perTask} iterations per task on {data}, {workerCount} at a time");
            IRunStore store;
            try { store = RunStore.Open(Path.Combine(folder, "runs.db")); }
            catch (Exception e) when (e is RunStoreOpenException or RunStoreUnavailableException)
            {
                Console.Error.WriteLine($"error: the run database cannot be opened: {e.Message}");
                return 1;
            }
            using (store)
            {
                try
                {
                    var outcomes = new ReproduceRunner(store, catalog, workerCount, Console.Error).Run(cells, DateTimeOffset.UtcNow, cancel.Token);
                    bool interrupted = cancel.IsCancellationRequested;
                    var report = ReproduceReport.From(outcomes, data, catalog.Entry(data).Title, perTask, parse.GetValue(iterations) is null ? budgetName : "custom",
                        seedCount, chosenScenarios, chosen, store.Location, interrupted);
                    // Interrupted (Ctrl+C), the table of what finished is still printed; every run is stored, the rest as cancelled.
                    Console.Out.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(report, EngineJson.Indented) : report.Table());
                    return interrupted ? 130 : outcomes.Any(o => o.Failure is not null) ? 1 : 0;
                }
                catch (RunStoreUnavailableException e) { Console.Error.WriteLine($"error: the run database cannot be written: {e.Reason}"); return 1; }
            }
        });
        return command;
    }

    /// <summary>The one sentence for a data set that is not on disk: which files, and where they go.</summary>
    public static string Missing(string dataset) => dataset switch
    {
        DataSetCatalog.FashionMnist =>
            $"Fashion-MNIST is not on disk: install Debian's dataset-fashion-mnist package (it puts the files in /usr/share/datasets/fashion-mnist) " +
            $"or put {Files} in the fashion-mnist folder of the data folder (--data-dir).",
        _ => $"Full MNIST is not on disk and reproduce does not download it: put {Files} in the mnist folder of the data folder " +
             $"(--data-dir, default ~/.local/share/ContinualLearning/data/mnist), or use --dataset mnist-10k (bundled).",
    };

    static string Files => string.Join(", ", DataSetCatalog.IdxFiles);

    static string[] List(string? text, IEnumerable<string> known, string option, List<string> errors)
    {
        if (text is null) return [.. known];
        var given = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        var unknown = given.Where(g => !known.Contains(g)).ToArray();
        if (given.Length == 0 || unknown.Length > 0)
            errors.Add($"{option} must be a comma-separated list of {string.Join(", ", known)}{(unknown.Length > 0 ? $" (unknown: {string.Join(", ", unknown.Take(5))})" : "")}");
        // Kept in the registry's (or the paper's) order, whatever order they were typed in.
        return [.. known.Where(given.Contains)];
    }
}
