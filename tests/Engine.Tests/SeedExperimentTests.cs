using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Tests;

/// <summary>The seed blog's experiment on the bundled data: naive forgets task 1, replay keeps much of it.</summary>
public class SeedExperimentTests
{
    [Fact]
    public void NaiveLearnsTaskOneThenForgetsIt()
    {
        var r = TestData.Execute(new RunConfig()).Result!;
        Assert.True(r.AccuracyMatrix[0][0] > 85, $"task 1 after task 1: {r.AccuracyMatrix[0][0]}");
        Assert.True(r.AccuracyMatrix[1][0] < 30, $"task 1 after task 2: {r.AccuracyMatrix[1][0]}");
        Assert.True(r.AccuracyMatrix[1][1] > 70, $"task 2 after task 2: {r.AccuracyMatrix[1][1]}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ReplayOfHalfTheDataKeepsTaskOneFarAboveNaive(int seed)
    {
        var naive = TestData.Execute(new RunConfig { Seed = seed }).Result!;
        var replay = TestData.Execute(new RunConfig { Seed = seed, Strategy = "replay", ReplayRatio = 0.5 }).Result!;
        Assert.True(replay.AccuracyMatrix[1][0] >= naive.AccuracyMatrix[1][0] + 30,
            $"replay {replay.AccuracyMatrix[1][0]} vs naive {naive.AccuracyMatrix[1][0]}");
    }

    [Fact]
    public void ReplayRatioZeroIsNaive()
    {
        var naive = TestData.Execute(new RunConfig { Seed = 3 }).Result!;
        var replay = TestData.Execute(new RunConfig { Seed = 3, Strategy = "replay", ReplayRatio = 0 }).Result!;
        Assert.Equal(naive.AccuracyMatrix, replay.AccuracyMatrix);
    }

    [Fact]
    public void JointIsTheUpperBound()
    {
        var naive = TestData.Execute(new RunConfig()).Result!;
        var joint = TestData.Execute(new RunConfig { Strategy = "joint" }).Result!;
        Assert.True(joint.AverageAccuracy > naive.AverageAccuracy + 20, $"joint {joint.AverageAccuracy} vs naive {naive.AverageAccuracy}");
        Assert.True(joint.AccuracyMatrix[1][0] > 70);
    }

    [Fact]
    public void ReservoirReplayKeepsTaskOneAboveNaive()
    {
        var naive = TestData.Execute(new RunConfig()).Result!;
        var reservoir = TestData.Execute(new RunConfig { Strategy = "replay-reservoir", MemoryPerClass = 50 }).Result!;
        Assert.True(reservoir.AccuracyMatrix[1][0] > naive.AccuracyMatrix[1][0] + 20,
            $"reservoir {reservoir.AccuracyMatrix[1][0]} vs naive {naive.AccuracyMatrix[1][0]}");
    }

    [Theory]
    [InlineData("mlp", "adam", 0.001)]
    [InlineData("cnn", "sgd", 0.05)]
    public void OtherModelsAndOptimizersLearn(string model, string optimizer, double lr)
    {
        var r = TestData.Execute(new RunConfig { Model = model, Optimizer = optimizer, LearningRate = lr, HiddenSizes = [64], Tasks = "0,1|2,3" }).Result!;
        Assert.True(r.AccuracyMatrix[0][0] > 90, $"{model}: {r.AccuracyMatrix[0][0]}");
    }

    [Fact]
    public void SameConfigAndSeedGiveTheSameMatrix()
    {
        var config = new RunConfig { Strategy = "replay", Model = "mlp", HiddenSizes = [32], Seed = 7 };
        var first = TestData.Execute(config).Result!;
        var second = TestData.Execute(config).Result!;
        Assert.Equal(first.AccuracyMatrix, second.AccuracyMatrix);
        var other = TestData.Execute(config with { Seed = 8 }).Result!;
        Assert.NotEqual(first.AccuracyMatrix, other.AccuracyMatrix);
    }

    [Fact]
    public void ConcurrentRunsStayDeterministic()
    {
        var config = new RunConfig { Seed = 11, Model = "mlp", HiddenSizes = [32] };
        var alone = TestData.Execute(config).Result!;
        var runs = Enumerable.Range(0, 3).Select(i => new Training.TrainingRun(i == 0 ? config : config with { Seed = 20 + i }, TestData.Catalog)).ToArray();
        var threads = runs.Select(r => r.Start()).ToArray();
        foreach (var t in threads) t.Join();
        Assert.Equal(alone.AccuracyMatrix, runs[0].Result!.AccuracyMatrix);
    }
}
