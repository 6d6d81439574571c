using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Strategies;

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
}
