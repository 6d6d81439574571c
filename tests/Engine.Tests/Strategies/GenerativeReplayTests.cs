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
}
