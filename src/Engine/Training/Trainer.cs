using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// The one training loop. Runs synchronously on the calling thread (TorchSharp dispose scopes are thread-bound),
/// reports everything through the run's event log, and disposes every tensor it creates.
/// </summary>
public static class Trainer
{
    const int EvalChunk = 1000;

    /// <param name="strategy">A strategy instance to use (and inspect afterwards; the caller disposes it); null = the config's.</param>
    public static RunResult Run(RunConfig config, DataSet data, RunEventLog log, RunControl control, Strategy? strategy = null)
    {
        var clock = Stopwatch.StartNew();
        Denormals.FlushToZeroOnThisThread();
        var stream = TaskStream.Build(data, config);
        using var ctx = new TrainingContext(config, stream) { Cancellation = control.Token };
        using var owned = strategy is null ? StrategyRegistry.Create(config.Strategy) : null;
        strategy ??= owned!;
        ctx.Model = ctx.SeededModel(strategy);
        using var model = ctx.Model;
        using var optimizer = ctx.Optimizer = ctx.CreateOptimizer(model.parameters());

        var preview = RunDisplay.PreviewIndices(stream);
        log.Append(new RunEvent
        {
            RunId = log.RunId, Kind = RunEventKind.Started,
            Plan = new RunPlan(stream.Tasks.Select(t => t.Classes).ToArray(), stream.Tasks.Select(t => StepsForTask(config, t.Train.Length)).ToArray(),
                data.ClassNames, preview, ModelFactory.ParameterCount(model)) { OutputNames = stream.OutputNames },
        });
        Evaluate(ctx, strategy, log, preview);
        // Forward transfer's reference: the untrained model (this seed's initial weights) on every task's full test set.
        var initial = TestAllTasks(ctx);

        var matrix = new List<double[]>();
        foreach (var task in stream.Tasks)
        {
            ctx.Task = task.Index;
            ctx.TaskStartStep = ctx.Step;
            try { matrix.Add(TrainAndTestTask(ctx, strategy, log, control, preview)); }
            catch (Exception e) when (Divergence.IsNumericFailure(e))
            {
                // libtorch refused non-finite numbers (e.g. EWC's Fisher sampling from overflowed outputs): that is divergence too.
                throw new TrainingDivergedException(ctx.Task, ctx.Step - ctx.TaskStartStep, Divergence.NumbersProblem, Divergence.Advice(ctx, strategy), e);
            }
        }
        return RunResult.From(config, matrix.ToArray(), clock.ElapsedMilliseconds,
            new DataSetInfo(data.Name, data.Train.Count, data.Test.Count, data.IsBundledSubset), initial);
    }

    /// <summary>One task: its training steps, the strategy's end-of-task work, then the full test of every task (one matrix row).</summary>
    static double[] TrainAndTestTask(TrainingContext ctx, Strategy strategy, RunEventLog log, RunControl control, int[] preview)
    {
        var model = ctx.Model;
        model.train();
        strategy.BeginTask(ctx);
        var samples = strategy.TrainingSamples(ctx).ToArray();
        long steps = StepsForTask(ctx.Config, samples.Length);
        log.Append(new RunEvent
        {
            RunId = log.RunId, Kind = RunEventKind.TaskStarted, Task = ctx.Task, Step = ctx.Step, TaskSteps = steps,
            ParameterCount = strategy.ParameterCount(ctx),
        });
        TrainTask(ctx, strategy, log, control, preview, samples, steps);
        strategy.EndTask(ctx);
        ThrowIfWeightsDiverged(ctx, strategy, stepInTask: 0);
        var row = TestAllTasks(ctx);
        var memory = strategy.Memory;
        log.Append(new RunEvent
        {
            RunId = log.RunId, Kind = RunEventKind.TaskFinished, Task = ctx.Task, Step = ctx.Step, Accuracies = row,
            MemorySize = memory.Count > 0 ? memory.Count : null,
            MemorySample = RunDisplay.MemorySample(memory, ctx.Stream.Data.Train.Labels),
            GeneratedImages = strategy.GeneratedImages(ctx),
        });
        return row;
    }

    /// <summary>Accuracy (%) on every task's full test set: one row of the accuracy matrix.</summary>
    static double[] TestAllTasks(TrainingContext ctx)
    {
        ctx.Model.eval();
        var row = ctx.Stream.Tasks.Select(t => PercentCorrect(ctx, t.Index, t.Test)).ToArray();
        ctx.Model.train();
        return row;
    }

    static void ThrowIfWeightsDiverged(TrainingContext ctx, Strategy strategy, long stepInTask)
    {
        if (!Divergence.WeightsAreFinite(ctx.Model))
            throw new TrainingDivergedException(ctx.Task, stepInTask, Divergence.WeightsProblem, Divergence.Advice(ctx, strategy));
    }

    /// <summary>Batches per task: whole epochs over the samples it trains on, or IterationsPerTask when set.</summary>
    public static long StepsForTask(RunConfig config, int taskSamples) =>
        config.IterationsPerTask ?? (long)config.Epochs * ((taskSamples + config.BatchSize - 1) / config.BatchSize);

    static void TrainTask(TrainingContext ctx, Strategy strategy, RunEventLog log, RunControl control, int[] preview, Sample[] samples, long target)
    {
        var config = ctx.Config;
        long done = 0;
        while (done < target)
        {
            ctx.Random.Shuffle(samples);
            for (int start = 0; start < samples.Length && done < target; start += config.BatchSize, done++)
            {
                control.BeforeStep();
                double loss = Step(ctx, strategy, samples.AsSpan(start, Math.Min(config.BatchSize, samples.Length - start)).ToArray());
                // A non-finite loss ends the run here: its step event is never appended.
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException(ctx.Task, ctx.Step - ctx.TaskStartStep, Divergence.LossProblem(loss), Divergence.Advice(ctx, strategy));
                log.Append(new RunEvent { RunId = log.RunId, Kind = RunEventKind.Step, Task = ctx.Task, Step = ctx.Step, Loss = loss });
                if (ctx.Step % config.EvalEvery == 0 || done + 1 == target)
                {
                    ThrowIfWeightsDiverged(ctx, strategy, ctx.Step - ctx.TaskStartStep);
                    Evaluate(ctx, strategy, log, preview);
                }
            }
        }
    }

    /// <summary>One training step on one batch, through the strategy's hooks; returns the batch loss.</summary>
    public static double Step(TrainingContext ctx, Strategy strategy, Sample[] samples)
    {
        using var _ = NewDisposeScope();
        var batch = ctx.MakeBatch(samples);
        ctx.Optimizer.ZeroGrad();
        var lossTensor = strategy.Loss(ctx, batch);
        lossTensor.backward();
        strategy.AfterBackward(ctx);
        ctx.Optimizer.Step();
        strategy.AfterStep(ctx);
        ctx.Step++;
        return lossTensor.item<float>();
    }

    /// <summary>
    /// Live evaluation on each task's fixed held-out subset, with what the live page shows beside it (predictions for
    /// the preview images, at times the generator's images).
    /// </summary>
    static void Evaluate(TrainingContext ctx, Strategy strategy, RunEventLog log, int[] preview)
    {
        // One switch to eval mode for the whole evaluation: toggling modules per task costs more than the small forwards.
        ctx.Model.eval();
        var accuracies = ctx.Stream.Tasks.Select(t => PercentCorrect(ctx, t.Index, t.EvalSubset)).ToArray();
        var predictions = RunDisplay.Predictions(ctx, preview);
        ctx.Model.train();
        var images = RunDisplay.LiveGeneratedImages(ctx, strategy);
        log.Append(new RunEvent { RunId = log.RunId, Kind = RunEventKind.Evaluation, Task = ctx.Task, Step = ctx.Step, Accuracies = accuracies, Predictions = predictions, GeneratedImages = images });
    }

    /// <summary>Accuracy (%) with the model already in eval mode.</summary>
    static double PercentCorrect(TrainingContext ctx, int task, IReadOnlyList<int> testIndices)
    {
        if (testIndices.Count == 0) return 0;
        long correct = 0;
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        for (int start = 0; start < testIndices.Count; start += EvalChunk)
        {
            ctx.ThrowIfCancelled();
            var chunk = testIndices.Skip(start).Take(EvalChunk).ToArray();
            var (inputs, labels) = ctx.TestBatch(task, chunk);
            correct += ctx.Logits(inputs, () => tensor(Enumerable.Repeat((long)task, chunk.Length).ToArray())).argmax(1).eq(labels).sum().item<long>();
        }
        return 100.0 * correct / testIndices.Count;
    }
}
