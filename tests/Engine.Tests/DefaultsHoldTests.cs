using System.Collections.Concurrent;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Tests;

/// <summary>
/// Every strategy in every scenario it supports, with its default parameters, on the seed's settings (linear, SGD 0.01,
/// batch 64) and the paper's (mlp 2x400, Adam 0.001, batch 128, tasks of two digits): a short run must finish with finite
/// numbers throughout. On the seed's settings 40 steps per task reach the regime where EWC's old default λ made SGD
/// diverge early in task 2 (at its step 21); three tasks are enough for every strategy's later-task machinery to act twice.
/// </summary>
[Collection(TestRuns.TrainingCollection)]
public class DefaultsHoldTests
{
    // The seed's SGD needs 40 steps to show the old EWC divergence; Adam's bounded steps show trouble sooner, and its mlp costs more.
    static int StepsPerTask(string setting) => setting == "seed" ? 40 : 20;

    static DefaultsHoldTests() => TorchSharp.torch.set_num_threads(1); // two runs side by side, one core each

    public static TheoryData<string> Settings => ["seed", "paper"];

    [Theory]
    [MemberData(nameof(Settings))]
    public void EveryStrategyAndScenarioFinishesWithFiniteNumbers(string setting)
    {
        var configs = (from strategy in StrategyRegistry.Names
                       from protocol in Protocols
                       let config = Config(setting, strategy, protocol)
                       where ConfigValidator.Validate(config).Count == 0
                       select config).ToArray();
        Assert.Equal(StrategyRegistry.Names.Count * Protocols.Length - (Protocols.Length - 1), configs.Length); // pnn: task-incremental only

        var problems = new ConcurrentBag<string>();
        // Two at a time: runs are deterministic side by side, and two cores are what the test machine has.
        Parallel.ForEach(configs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, config =>
        {
            var run = TestData.Execute(config);
            var events = run.Events.Snapshot();
            string name = $"{config.Strategy} / {config.Scenario}{(Scenarios.IsSplitDomain(config) ? " (split)" : "")}";
            if (run.Status != RunStatus.Finished) problems.Add($"{name}: {run.Status} ({run.Error})");
            if (events.FirstOrDefault(e => NonFiniteNumbers.FirstIn(e) is not null) is { } bad) problems.Add($"{name}: non-finite {NonFiniteNumbers.FirstIn(bad)} at seq {bad.Seq}");
            // Every step reported, each with a finite loss.
            int tasks = run.Result?.AccuracyMatrix.Length ?? 0;
            var losses = events.Where(e => e.Kind == RunEventKind.Step).Select(e => e.Loss).ToArray();
            if (losses.Length != tasks * StepsPerTask(setting) || !losses.All(l => l is { } v && double.IsFinite(v)))
                problems.Add($"{name}: {losses.Length} step events for {tasks} tasks, not all with a finite loss");
        });
        Assert.True(problems.IsEmpty, $"{setting} settings, {StepsPerTask(setting)} steps per task:\n" + string.Join("\n", problems.Order()));
    }

    // Domain-incremental twice: Permuted MNIST (one class set) and split tasks sharing one head (labels are positions).
    const string PermutedDomain = "domain-incremental (permuted)", SplitDomain = "domain-incremental (split)";
    static readonly string[] Protocols = [Scenarios.ClassIncremental, Scenarios.TaskIncremental, PermutedDomain, SplitDomain];

    static RunConfig Config(string setting, string strategy, string protocol)
    {
        var basis = setting == "seed"
            ? new RunConfig()
            : new RunConfig { Model = "mlp", HiddenSizes = [400, 400], Optimizer = "adam", LearningRate = 0.001, BatchSize = 128, Tasks = "0,1|2,3|4,5" };
        if (strategy == "pnn") basis = basis with { Model = "mlp" };
        basis = protocol switch
        {
            PermutedDomain => basis with { Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 3 },
            SplitDomain => basis with { Scenario = Scenarios.DomainIncremental }, // seed: 0-4|5-9, paper: three pairs
            _ => basis with { Scenario = protocol },
        };
        return basis with { Strategy = strategy, IterationsPerTask = StepsPerTask(setting), EvalEvery = StepsPerTask(setting) };
    }
}
