using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class ExperienceReplayTests
{
    [Fact]
    public void TheReservoirKeepsAtMostItsCapacityPerClassAndEveryItemWithTheSameChance()
    {
        const int capacity = 5, offered = 50, trials = 4000;
        var random = new Random(0);
        var keptCount = new int[offered];
        for (int trial = 0; trial < trials; trial++)
        {
            var reservoir = new ClassReservoir<int>();
            for (int i = 0; i < offered; i++) reservoir.Offer(0, i, capacity, random);
            for (int i = 0; i < 3; i++) reservoir.Offer(1, 100 + i, capacity, random);
            Assert.Equal(capacity, reservoir.Of(0).Count);
            Assert.Equal([100, 101, 102], reservoir.Of(1)); // below capacity: everything is kept
            Assert.Equal(offered, reservoir.Seen(0));
            foreach (var item in reservoir.Of(0)) keptCount[item]++;
        }
        // Algorithm R keeps each of n items with probability capacity/n = 0.1, the first ones as often as the last.
        double first = keptCount.Take(10).Average() / trials, last = keptCount.TakeLast(10).Average() / trials;
        Assert.InRange(first, 0.085, 0.115);
        Assert.InRange(last, 0.085, 0.115);
    }

    [Fact]
    public void ADrawHasTheRequestedSizeWithoutRepeatsWhileTheMemoryIsLargeEnough()
    {
        var reservoir = new ClassReservoir<int>();
        var random = new Random(1);
        for (int i = 0; i < 30; i++) reservoir.Offer(i % 3, i, 10, random);
        Assert.Equal(20, reservoir.Draw(random, 20).Distinct().Count());
        Assert.Equal(64, reservoir.Draw(random, 64).Length);
    }

    [Fact]
    public void ErBoundsItsMemoryReplaysABatchOfTheSameSizeAndBeatsNaiveOnClassIncrementalSplitMnist()
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "er", iterations: 100) with { HiddenSizes = [64], MemoryPerClass = 20 };
        using var er = new ExperienceReplay();
        var replayed = TestRuns.Run(config, er);
        var naive = TestRuns.Run(config with { Strategy = "naive" });

        Assert.Equal(config.BatchSize, er.LastReplayBatchSize);
        for (int label = 0; label < 10; label++)
        {
            Assert.Equal(config.MemoryPerClass, er.Reservoir.Of(label).Count);
            Assert.True(er.Reservoir.Seen(label) > config.MemoryPerClass);
        }
        Assert.Equal(10 * config.MemoryPerClass, er.Memory.Count);
        Assert.True(replayed.AverageAccuracy > naive.AverageAccuracy + 0.2,
            $"er {replayed.AverageAccuracy:0.000} vs naive {naive.AverageAccuracy:0.000}");
    }
}
