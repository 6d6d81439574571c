using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class GenerativeReplayTests
{
    [Fact]
    public void GeneratorSamplesArePublishedAtEveryTaskEnd()
    {
        var log = new RunEventLog("gr");
        TestRuns.Run(TestRuns.Preset(Presets.SplitMnist5, "generative-replay", iterations: 5) with { HiddenSizes = [32], GeneratorHidden = 32, Tasks = "0,1|2,3" }, log: log);
        var finished = log.Snapshot().Where(e => e.Kind == RunEventKind.TaskFinished).ToArray();
        Assert.Equal(2, finished.Length);
        Assert.All(finished, e =>
        {
            Assert.Equal(16, e.GeneratedImages!.Length);
            Assert.All(e.GeneratedImages, image => Assert.Equal(784, image.Length));
            Assert.True(e.GeneratedImages.SelectMany(i => i).Distinct().Count() > 10, "images are not constant");
        });
    }

    [Fact]
    public void GeneratorImagesEvolveOnEveryFifthEvaluationWithoutChangingTraining()
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "generative-replay", iterations: 10) with { HiddenSizes = [32], GeneratorHidden = 32, Tasks = "0,1|2,3" };
        var log = new RunEventLog("gr-live");
        var live = TestRuns.Run(config with { EvalEvery = 2 }, log: log);
        var withImages = log.Snapshot().Where(e => e.Kind == RunEventKind.Evaluation && e.GeneratedImages is not null).ToArray();
        // Steps 0, 10 and 20: every fifth evaluation interval of 2 steps, including before training.
        Assert.Equal(new long?[] { 0, 10, 20 }, withImages.Select(e => e.Step).ToArray());
        Assert.All(withImages, e =>
        {
            Assert.Equal(16, e.GeneratedImages!.Length);
            Assert.All(e.GeneratedImages, image => Assert.Equal(784, image.Length));
        });
        // The same latent codes each time: the images change only because the generator learned.
        Assert.NotEqual(withImages[0].GeneratedImages![0], withImages[1].GeneratedImages![0]);
        Assert.All(log.Snapshot().Where(e => e.Kind == RunEventKind.Evaluation && e.Step % 10 != 0), e => Assert.Null(e.GeneratedImages));
        // Drawing the live images uses its own random stream: training is identical without them.
        var quiet = TestRuns.Run(config);
        Assert.Equal(quiet.AccuracyMatrix, live.AccuracyMatrix);
    }

    static RunConfig Small(string scenario, string targets = "hard") => StrategyParameterValues.With(
        TestRuns.Preset(Presets.SplitMnist5, "generative-replay", iterations: 5) with { Scenario = scenario, Tasks = "0,1|2,3|4,5", HiddenSizes = [32], GeneratorHidden = 32, BatchSize = 32 },
        GenerativeReplay.Targets.Name, targets);

    [Fact]
    public void TaskIncrementalReplayIsLabelledWithinAnEarlierTasksHeadDrawnUniformly()
    {
        using var gr = new GenerativeReplay();
        var ctx = TestRuns.Context(Small(Scenarios.TaskIncremental), gr);
        TestRuns.Task(ctx, gr, 0, 5);
        TestRuns.Task(ctx, gr, 1, 5);
        ctx.Task = 2;
        using (NewDisposeScope())
        {
            var (_, taskIds, previous) = gr.ReplayBatch(ctx, 600);
            var tasks = taskIds.data<long>().ToArray();
            var labels = previous.argmax(1).data<long>().ToArray();
            for (int i = 0; i < tasks.Length; i++) Assert.Contains((int)labels[i], ctx.Stream.Tasks[(int)tasks[i]].Classes);
            // Both earlier tasks, about equally often (300 expected each; 5 standard deviations is ±61).
            Assert.All(new[] { 0L, 1L }, t => Assert.InRange(tasks.Count(x => x == t), 240, 360));
            Assert.DoesNotContain(2L, tasks);
        }
        TestRuns.DisposeAll(ctx);
    }

    [Theory]
    [InlineData(Scenarios.TaskIncremental)]
    [InlineData(Scenarios.ClassIncremental)]
    public void SoftTargetsAreTheSoftenedScoresOverTheClassesThePreviousModelKnew(string scenario)
    {
        using var gr = new GenerativeReplay();
        var ctx = TestRuns.Context(Small(scenario, "soft"), gr);
        TestRuns.Task(ctx, gr, 0, 5);
        TestRuns.Task(ctx, gr, 1, 5);
        ctx.Task = 2;
        using (NewDisposeScope())
        {
            var (images, taskIds, previous) = gr.ReplayBatch(ctx, 64);
            var target = previous.softmax(1);
            Assert.All(target.sum(1).data<float>().ToArray(), s => Assert.Equal(1f, s, 4));
            // No probability outside the classes of tasks 1 and 2 (class-incremental) or outside each image's head.
            foreach (var unknown in new[] { 4, 5 }) Assert.Equal(0f, target[.., unknown].abs().max().item<float>());
            var loss = gr.ReplayLoss(ctx, ctx.Logits(images, taskIds), previous);
            loss.backward();
            Assert.True(float.IsFinite(loss.item<float>()) && loss.item<float>() > 0, $"loss {loss.item<float>()}");
            Assert.All(ctx.Model.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>()));
            // The current model scored exactly like the previous one would give the distribution's own entropy (T² · H): less than any other scores.
            var same = gr.ReplayLoss(ctx, previous.clone(), previous).item<float>();
            Assert.True(same < loss.item<float>() + 1e-6, $"matching the targets {same} is not below {loss.item<float>()}");
        }
        TestRuns.DisposeAll(ctx);
        var result = TestRuns.Run(Small(scenario, "soft"));
        Assert.All(result.AccuracyMatrix.SelectMany(r => r), a => Assert.True(double.IsFinite(a)));
    }

    [Fact]
    public void TheGeneratorTrainsTheChosenMultipleOfTheClassifiersIterationsExceptAfterTheLastTask()
    {
        var config = StrategyParameterValues.With(Small(Scenarios.ClassIncremental), GenerativeReplay.IterationRatio.Name, 3.0);
        using var gr = new GenerativeReplay();
        TestRuns.Run(config, gr);
        // 5 classifier steps per task, each with one generator step; tasks 1 and 2 add 2 × 5 more at their end.
        Assert.Equal(3 * 5 + 2 * 2 * 5, gr.GeneratorSteps);
    }
}
