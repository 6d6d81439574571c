using System.CommandLine;
using System.Text.Json;
using ContinualLearning.Cli;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Training;

var options = new ConfigOptions();
var json = new Option<bool>("--json") { Description = "Print only the result as JSON on stdout" };
var run = new Command("run", "Train a model on a stream of tasks and report the accuracy matrix. With no options: the seed blog's experiment (Split MNIST 0-4 | 5-9, linear, SGD 0.01, batch 64, 1 epoch, naive).");
options.AddTo(run);
run.Options.Add(json);
run.SetAction(parse =>
{
    var errors = new List<string>();
    var config = options.ToConfig(parse, errors);
    var catalog = new DataSetCatalog(parse.GetValue(options.DataDir) ?? ConfigOptions.DefaultDataDirectory());
    var budget = options.ToBudget(parse, errors);
    if (errors.Count == 0) errors.AddRange(ConfigValidator.Validate(config, catalog, budget).Select(ConfigOptions.Describe));
    if (errors.Count > 0)
    {
        foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
        return 2;
    }
    if (!LoadData(catalog, config.Dataset)) return 1;
    using var training = new TrainingRun(config, catalog, budget: budget);
    training.Notice += m => Console.Error.WriteLine(m);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; training.Control.Cancel(); };
    var progress = ProgressDisplay.FollowAsync(training, Console.Error);
    training.Execute();
    progress.GetAwaiter().GetResult();
    if (training.Result is null)
    {
        Console.Error.WriteLine($"run {training.Status.ToString().ToLowerInvariant()}: {training.Error ?? "cancelled"}");
        return training.Status == RunStatus.Cancelled ? 130 : 1;
    }
    Console.Out.WriteLine(parse.GetValue(json)
        ? JsonSerializer.Serialize(training.Result, EngineJson.Indented)
        : Summary.Format(training.Result));
    return 0;
});

// Loads (and if needed downloads) the data set up front so the user sees download progress; the run reuses it.
static bool LoadData(DataSetCatalog catalog, string name)
{
    try
    {
        catalog.Load(name, m => Console.Error.WriteLine(m), new Progress<DownloadProgress>(p =>
            Console.Error.Write($"\rdownloading {p.File}: {p.Received / 1024} KiB{(p.Total is long t ? $" of {t / 1024} KiB" : "")}   ")));
        return true;
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException)
    {
        Console.Error.WriteLine($"error: data set {name}: {e.Message}");
        return false;
    }
}

// `continual estimate`: what the budget check sees (no training): the calibration aid of docs/benchmarks.md.
var estimateOptions = new ConfigOptions();
var estimate = new Command("estimate", "Print a config's estimated cost (model state, steps, compute, events) and whether it fits the budget, without training.");
estimateOptions.AddTo(estimate);
estimate.SetAction(parse =>
{
    var errors = new List<string>();
    var config = estimateOptions.ToConfig(parse, errors);
    var budget = estimateOptions.ToBudget(parse, errors);
    var catalog = new DataSetCatalog(parse.GetValue(estimateOptions.DataDir) ?? ConfigOptions.DefaultDataDirectory());
    var fieldErrors = ConfigValidator.Validate(config, catalog, RunBudget.Unlimited);
    errors.AddRange(fieldErrors.Select(ConfigOptions.Describe));
    if (errors.Count > 0 || ConfigValidator.DataSetEntryFor(config.Dataset, catalog) is not { } data)
    {
        foreach (var e in errors) Console.Error.WriteLine($"error: {e}");
        return 2;
    }
    var cost = RunCostEstimate.For(config, data);
    Console.Out.WriteLine($"parameters    {cost.Parameters:N0}");
    Console.Out.WriteLine($"model state   {RunCostEstimate.Bytes(cost.ModelStateBytes)} (model {RunCostEstimate.Bytes(cost.ModelBytes)}, strategy {RunCostEstimate.Bytes(cost.StrategyBytes)}, activations {RunCostEstimate.Bytes(cost.ActivationBytes)}); limit {RunCostEstimate.Bytes(budget.ModelStateMB * 1024 * 1024)}");
    Console.Out.WriteLine($"steps         {cost.TotalSteps:N0} over {cost.Tasks} tasks");
    Console.Out.WriteLine($"compute       {cost.ComputeSeconds:0.0} s; limit {budget.ComputeMinutes * 60:0} s");
    Console.Out.WriteLine($"events        {cost.Events:N0}; limit {budget.Events:N0}");
    var over = cost.Check(config, budget).ToArray();
    foreach (var e in over) Console.Out.WriteLine($"over budget: {ConfigOptions.Describe(e)}");
    return over.Length == 0 ? 0 : 3;
});

var sweep = SweepCommand.Create(options, json);
var reproduce = ContinualLearning.Cli.Reproduce.ReproduceCommand.Create(json);
var root = new RootCommand("continual: continual-learning experiments (Split MNIST and friends) on TorchSharp.") { run, sweep, estimate, reproduce };
return root.Parse(args).Invoke();
