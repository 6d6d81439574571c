using System.Text.Json;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Engine.Tests.Strategies;

[Collection(TestRuns.TrainingCollection)]
public class DarkExperienceReplayTests
{
    [Fact]
    public void ItsParametersAreFlatConfigFieldsDeclaredInItsOwnFile()
    {
        var config = JsonSerializer.Deserialize<RunConfig>("""{"strategy":"der","derAlpha":0.5,"derBeta":0.25}""", EngineJson.Options)!;
        Assert.Equal((0.5, 0.25), (DarkExperienceReplay.Alpha.Number(config), DarkExperienceReplay.Beta.Number(config)));
        Assert.Equal(0.2, DarkExperienceReplay.Alpha.Number(new RunConfig { Strategy = "der" })); // Mammoth's Seq-MNIST, buffer 200
        var json = JsonSerializer.SerializeToNode(config, EngineJson.Options)!.AsObject();
        Assert.Equal(0.5, (double)json["derAlpha"]!); // flat, beside the other fields
        Assert.Empty(ConfigValidator.Validate(config));

        var errors = ConfigValidator.Validate(config with { StrategyParameters = new() { ["derAlpha"] = JsonSerializer.SerializeToElement(-1) } });
        Assert.Equal("derAlpha", Assert.Single(errors).Field);
        Assert.True(ConfigRelevance.Applies(config, "derBeta"));
        Assert.False(ConfigRelevance.Applies(config with { Strategy = "er" }, "derBeta"));
    }

    [Fact]
    public void TheLogitTermKeepsOutputsOnMemoryNearTheStoredOnesAndDerBeatsNaive()
    {
        var config = TestRuns.Preset(Presets.SplitMnist5, "der", iterations: 100) with { HiddenSizes = [64] };
        using var der = new DarkExperienceReplay();
        var result = TestRuns.Run(config, der);
        using var withoutLogits = new DarkExperienceReplay();
        TestRuns.Run(StrategyParameterValues.With(config, "derAlpha", 0.0), withoutLogits);
        var naive = TestRuns.Run(config with { Strategy = "naive" });

        Assert.All(der.Reservoir.Items, m => Assert.Equal(10, m.Logits.Length));
        Assert.Equal(10 * config.MemoryPerClass, der.Memory.Count);
        Assert.True(der.LastReplayTerms.Logits > 0 && der.LastReplayTerms.Labels > 0);
        Assert.True(der.AverageLogitTerm < 0.8 * withoutLogits.AverageLogitTerm,
            $"logit drift with α {der.AverageLogitTerm:0.000} vs without {withoutLogits.AverageLogitTerm:0.000}");
        Assert.True(result.AverageAccuracy > naive.AverageAccuracy + 0.2, $"der {result.AverageAccuracy:0.000} vs naive {naive.AverageAccuracy:0.000}");
    }
}
