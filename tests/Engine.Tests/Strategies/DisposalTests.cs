using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Strategies;

/// <summary>A whole run inside one dispose scope must leave nothing in it: every tensor a strategy keeps is disposed.</summary>
[Collection(TestRuns.TrainingCollection)]
public class DisposalTests
{
    public static TheoryData<string> Names => new(StrategyRegistry.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void ARunLeavesNoTensorsBehind(string strategy)
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, strategy, iterations: 3) with
        {
            Tasks = "0,1|2,3|4,5", HiddenSizes = [16], GeneratorHidden = 16, FisherSamples = 5, BatchSize = 16,
            Scenario = strategy == "pnn" ? Scenarios.TaskIncremental : Scenarios.ClassIncremental,
        };
        config = StrategyParameterValues.With(config, Agem.MemoryPerClass.Name, 5);
        using var scope = NewDisposeScope();
        TestRuns.Run(config);
        Assert.Equal(0, scope.DisposablesCount);
    }
}
