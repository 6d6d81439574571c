using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Tests;

/// <summary>Shared helpers: the bundled data loaded once, short runs of the presets, and hand-driven training contexts.</summary>
public static class TestRuns
{
    static readonly Lazy<DataSet> bundled = new(() => TestData.Catalog.Load(DataSetCatalog.BundledMnist));

    static TestRuns()
    {
        // One intra-op thread: on two shared cores it is faster, and libtorch's denormal flushing then covers all the work.
        TorchSharp.torch.set_num_threads(1);
    }

    public static DataSet Bundled => bundled.Value;

    /// <summary>
    /// Tests that train whole runs share this collection so they run one after another: two cores gain nothing from
    /// running them together, and fewer allocating threads means fewer chances for TorchSharp's implicit-Scalar
    /// finalizer race (see Training/StableScalars.cs).
    /// </summary>
    public const string TrainingCollection = "whole training runs";

    /// <summary>A preset with reduced iterations and no live evaluation between task ends (only the matrix matters here).</summary>
    public static RunConfig Preset(string preset, string strategy, int iterations, int seed = 0) =>
        Presets.Get(preset) with { Strategy = strategy, IterationsPerTask = iterations, Seed = seed, EvalEvery = 100_000 };

    public static RunResult Run(RunConfig config, Strategy? strategy = null, RunEventLog? log = null)
    {
        ConfigValidator.ThrowIfInvalid(config);
        using var control = new RunControl();
        return Trainer.Run(config, Bundled, log ?? new RunEventLog("test"), control, strategy);
    }

    /// <summary>A context with the config's model and optimizer, for driving a strategy's hooks step by step.</summary>
    public static TrainingContext Context(RunConfig config, Strategy strategy)
    {
        var ctx = new TrainingContext(config, TaskStream.Build(Bundled, config));
        ctx.Model = ctx.SeededModel(strategy);
        ctx.Optimizer = ctx.CreateOptimizer(ctx.Model.parameters());
        return ctx;
    }

    /// <summary>Trains the current task of ctx for a number of batches through the loop's own step.</summary>
    public static void Train(TrainingContext ctx, Strategy strategy, int batches)
    {
        var samples = ctx.CurrentTask.Train;
        for (int b = 0; b < batches; b++)
            Trainer.Step(ctx, strategy, Enumerable.Range(0, ctx.Config.BatchSize).Select(_ => samples[ctx.Random.Next(samples.Length)]).ToArray());
    }

    /// <summary>Begin task t, train it, end it.</summary>
    public static void Task(TrainingContext ctx, Strategy strategy, int task, int batches)
    {
        ctx.Task = task;
        strategy.BeginTask(ctx);
        Train(ctx, strategy, batches);
        strategy.EndTask(ctx);
    }

    public static void DisposeAll(TrainingContext ctx)
    {
        ctx.Optimizer.Dispose();
        ctx.Model.Dispose();
        ctx.Dispose();
    }
}
