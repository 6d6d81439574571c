using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContinualLearning.Engine.Config;

/// <summary>
/// Named starting configs. A preset is a whole RunConfig; the CLI, REST and designer apply only the fields the user
/// actually gave on top of it, so "explicit fields override the preset" needs no way to tell a default from a choice.
/// </summary>
public static class Presets
{
    public const string Seed = "seed";
    public const string SplitMnist5 = "split-mnist-5";
    public const string SplitMnist5Paper = "split-mnist-5-paper";
    public const string PermutedMnist = "permuted-mnist";
    public const string PermutedMnist10 = "permuted-mnist-10";

    /// <summary>Iterations per task of the quick split-mnist-5 (a live demo on two cores); the paper's protocol uses 2,000.</summary>
    public const int QuickIterations = 300;
    public const int PaperIterations = 2000;

    static readonly RunConfig SplitMnistBase = new()
    {
        Tasks = "0,1|2,3|4,5|6,7|8,9", Model = "mlp", HiddenSizes = [400, 400], Optimizer = "adam", LearningRate = 0.001, BatchSize = 128,
    };

    static readonly Dictionary<string, (string Description, RunConfig Config)> presets = new()
    {
        [Seed] = ("The seed blog's experiment: Split MNIST 0-4 | 5-9, one linear layer, SGD 0.01, batch 64, one epoch, class-incremental.", new RunConfig()),
        [SplitMnist5] = ($"Five tasks of two digits, MLP 2x400, Adam 0.001, batch 128, {QuickIterations} iterations per task (quick; van de Ven et al. use {PaperIterations}).",
            SplitMnistBase with { IterationsPerTask = QuickIterations }),
        [SplitMnist5Paper] = ($"split-mnist-5 with the {PaperIterations} iterations per task of van de Ven et al.'s \"Three types of incremental learning\".",
            SplitMnistBase with { IterationsPerTask = PaperIterations }),
        [PermutedMnist] = ("Domain-incremental Permuted MNIST: 5 tasks of all ten digits, each a fixed pixel permutation; MLP 2x400, Adam 0.001, batch 128, 300 iterations per task.",
            SplitMnistBase with { Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 5, IterationsPerTask = QuickIterations }),
        [PermutedMnist10] = ("permuted-mnist with 10 permutations.",
            SplitMnistBase with { Scenario = Scenarios.DomainIncremental, Tasks = "0-9", Permutations = 10, IterationsPerTask = QuickIterations }),
    };

    public static IReadOnlyCollection<string> Names => presets.Keys;

    public static string Describe(string name) => presets[name].Description;

    /// <summary>The preset's config, with Preset set to its name.</summary>
    public static RunConfig Get(string name) =>
        presets.TryGetValue(name, out var p) ? p.Config with { Preset = name } : throw new ArgumentException($"Unknown preset '{name}'. Known: {string.Join(", ", Names)}.");

    /// <summary>
    /// Reads a JSON config (the REST body): when it names a "preset", the preset's fields come first and every field
    /// present in the JSON replaces its value; without one, absent fields keep the seed's defaults.
    /// Throws ArgumentException for an unknown preset and JsonException for malformed JSON.
    /// </summary>
    public static RunConfig FromJson(string json)
    {
        var given = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a run config must be a JSON object");
        var preset = given.FirstOrDefault(p => string.Equals(p.Key, "preset", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();
        if (preset is null) return given.Deserialize<RunConfig>(EngineJson.Options) ?? new RunConfig();
        var merged = JsonSerializer.SerializeToNode(Get(preset), EngineJson.Options)!.AsObject();
        foreach (var (key, value) in given)
        {
            // Field names are matched case-insensitively, as the deserializer does.
            foreach (var same in merged.Select(p => p.Key).Where(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)).ToArray()) merged.Remove(same);
            merged[key] = value?.DeepClone();
        }
        return merged.Deserialize<RunConfig>(EngineJson.Options)!;
    }
}
