using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Strategies;
using TorchSharp;

namespace ContinualLearning.Engine.Tests.Robustness;

/// <summary>
/// libtorch's default generator is shared by the whole process. A run's seeded model must not change because another
/// run in the same process copies its model at a task end (LwF, generative replay) at that moment: such copies used
/// to draw initial weights from the shared generator between another run's seed and its build.
/// </summary>
public class SeededBuildTests
{
    static float[] SeededWeights() => TorchRandom.Seeded(11, () =>
    {
        using var model = ModelFactory.Create("mlp", 28, 10, [64, 64]);
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    });

    [Fact]
    public async Task ASeededModelIsTheSameWhileAnotherThreadCopiesModels()
    {
        var reference = SeededWeights();
        using var naive = StrategyRegistry.Create("naive");
        var ctx = TestRuns.Context(TestRuns.Preset(Presets.SplitMnist5, "naive", 1), naive);
        using var vae = TorchRandom.Unseeded(() => new Vae(784, 32, 8));
        using var done = new CancellationTokenSource();
        int copies = 0;
        // Copies the way strategies do at task ends, as fast as it can, until the seeded builds are done.
        var copying = Task.Factory.StartNew(() =>
        {
            while (!done.IsCancellationRequested)
            {
                using (ctx.FrozenCopy()) { }
                using (vae.FrozenCopy()) { }
                Interlocked.Increment(ref copies);
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            // Until the copier has demonstrably run beside the builds (or a generous number of builds).
            for (int build = 0; build < 40 || (Volatile.Read(ref copies) < 20 && build < 2000); build++)
                Assert.Equal(reference, SeededWeights());
        }
        finally
        {
            done.Cancel();
            await copying;
            TestRuns.DisposeAll(ctx);
        }
        Assert.True(copies >= 20, $"the copying thread made only {copies} copies");
    }
}
