using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Tests.Robustness;

/// <summary>Cancel acts within one step, also inside long evaluations and end-of-task work; no pace can crash a run.</summary>
[Collection(TestRuns.TrainingCollection)]
public class CancellationTests
{
    static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task CancelDuringALongEvaluationEndsTheRunPromptly()
    {
        // The first evaluation of 50 permuted tasks on a 2x2048 mlp takes far longer than Prompt, one chunk of it far less.
        using var run = new TrainingRun(new RunConfig
        {
            Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 50, Model = "mlp", HiddenSizes = [2048, 2048],
            IterationsPerTask = 1,
        }, TestData.Catalog, budget: RunBudget.Unlimited); // deliberately heavier than the default budget admits
        run.Start();
        await FirstEvent(run, e => e.Kind == RunEventKind.Started);

        var elapsed = await CancelAndWait(run);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.DoesNotContain(run.Events.Snapshot(), e => e.Kind == RunEventKind.Evaluation);
        Assert.True(elapsed < Prompt, $"cancel took {elapsed}");
    }

    [Fact]
    public async Task CancelDuringEwcsFisherEstimateEndsTheRunPromptly()
    {
        // 10,000 single-sample backward passes through a 4096-wide mlp: far longer than Prompt.
        using var run = new TrainingRun(new RunConfig
        {
            Strategy = "ewc", Model = "mlp", HiddenSizes = [4096], FisherSamples = 10_000, IterationsPerTask = 2, EvalEvery = 2,
        }, TestData.Catalog, budget: RunBudget.Unlimited);
        run.Start();
        // The evaluation after task 1's last step: the next thing the run does is EWC's EndTask.
        await FirstEvent(run, e => e.Kind == RunEventKind.Evaluation && e.Step == 2);

        var elapsed = await CancelAndWait(run);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.DoesNotContain(run.Events.Snapshot(), e => e.Kind == RunEventKind.TaskFinished);
        Assert.True(elapsed < Prompt, $"cancel took {elapsed}");
    }

    static async Task<TimeSpan> CancelAndWait(TrainingRun run)
    {
        var clock = Stopwatch.StartNew();
        run.Control.Cancel();
        await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        return clock.Elapsed;
    }

    static async Task FirstEvent(TrainingRun run, Func<RunEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (var e in run.Events.ReadAllAsync(ct: timeout.Token))
            if (match(e)) return;
        throw new InvalidOperationException($"the run ended ({run.Status}: {run.Error}) before the awaited event");
    }
}
