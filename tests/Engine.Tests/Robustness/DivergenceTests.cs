using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Robustness;

/// <summary>A run whose numbers stop being finite ends failed, with a sentence for the student, and leaks no NaN or ∞.</summary>
[Collection(TestRuns.TrainingCollection)]
public class DivergenceTests
{
    // The issue's REST body {"strategy":"si","siC":1e6,"learningRate":10,"momentum":0.99} on the seed's other defaults.
    static readonly RunConfig Exploding = new() { Strategy = "si", SiC = 1e6, LearningRate = 10, Momentum = 0.99 };

    [Fact]
    public void ExplodingRunFailsWithTheDivergenceSentence()
    {
        var run = TestData.Execute(Exploding);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Matches(@"^Training diverged at step \d+ of task \d: the loss became (infinite|NaN \(not a number\)) — lower the learning rate, the momentum or c \(siC\)\.$", run.Error);
        Assert.IsType<TrainingDivergedException>(run.FailureDetail);
        Assert.Null(run.Result);
    }

    [Fact]
    public void ExplodingRunLogsOneTerminalEventAndOnlyFiniteNumbers()
    {
        var run = TestData.Execute(Exploding);
        var events = run.Events.Snapshot();

        Assert.Single(events, e => e.IsTerminal);
        Assert.Equal(RunEventKind.Failed, events[^1].Kind);
        Assert.Equal(run.Error, events[^1].Message);
        // System.Text.Json refuses NaN and ±∞ by default: every event serializing proves none is there.
        Assert.All(events, e => JsonSerializer.Serialize(e, EngineJson.Options));
        Assert.All(events.Where(e => e.Kind == RunEventKind.Step), e => Assert.True(double.IsFinite(e.Loss!.Value)));
        // The diverging step's own event was never appended: its task logged only the steps before it.
        var diverged = (TrainingDivergedException)run.FailureDetail!;
        Assert.Equal(diverged.StepInTask - 1, events.Count(e => e.Kind == RunEventKind.Step && e.Task == diverged.Task));
    }

    [Fact]
    public void LibTorchRefusingNonFiniteNumbersBecomesTheDivergenceSentence()
    {
        using var strategy = new NaNSamplingAtTaskEnd();
        var error = Assert.Throws<TrainingDivergedException>(() => TestRuns.Run(new RunConfig { IterationsPerTask = 3, EvalEvery = 100 }, strategy));
        Assert.StartsWith("Training diverged at step 3 of task 1: the model's numbers grew too large", error.Message);
        Assert.DoesNotContain("frame", FailureMessage.For(error));
        Assert.Contains("multinomial", error.InnerException!.Message); // the detail stays for the server log
    }

    /// <summary>Does at the end of a task what EWC's Fisher sampling did on the seed: torch.multinomial over NaN probabilities.</summary>
    sealed class NaNSamplingAtTaskEnd : Strategy
    {
        public override void EndTask(TrainingContext ctx)
        {
            using var _ = NewDisposeScope();
            tensor(new[] { float.NaN, 1f }).multinomial(1);
        }
    }

    [Fact]
    public void EwcOnTheSeedSettingsNowFinishes()
    {
        // Before: loss ~1e35 early in task 2, then libtorch's "probability tensor contains inf/nan". Now EWC does its
        // job: task 1 stays where it was (naive drops it to about 8%), at the price of learning task 2 less well.
        var run = TestData.Execute(new RunConfig { Strategy = "ewc" });
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.True(run.Result!.AccuracyMatrix[1][0] > 80, $"task 1 kept: {run.Result.AccuracyMatrix[1][0]}");
    }

    [Fact]
    public void EwcDefaultLambdaKeepsSgdStableAndLeavesAdamAlone()
    {
        var sgd = new RunConfig { Strategy = "ewc" };
        Assert.Equal(1 / (0.01 * 0.5), Ewc.DefaultLambda(sgd, largestFisher: 0.5), 6);
        Assert.Equal(Ewc.DefaultLambda(Scenarios.ClassIncremental), Ewc.DefaultLambda(sgd, largestFisher: 1e-9));
        Assert.Equal(Ewc.DefaultLambda(Scenarios.ClassIncremental), Ewc.DefaultLambda(sgd with { Optimizer = "adam" }, largestFisher: 0.5));
    }
}
