namespace ContinualLearning.Engine.Config;

/// <summary>
/// Everything that defines a run. Defaults are the seed blog's experiment: Split MNIST 0-4 | 5-9, one linear layer,
/// SGD lr 0.01, batch 64, one epoch per task, class-incremental, no remedy. The same record is the CLI's options,
/// the REST body, the dashboard's URL and the "config" of every result.
/// </summary>
public sealed record RunConfig
{
    /// <summary>The preset this config started from (see Presets), for the record; null = the seed's defaults.</summary>
    public string? Preset { get; init; }
    public string Dataset { get; init; } = Data.DataSetCatalog.BundledMnist;
    public string Scenario { get; init; } = Scenarios.ClassIncremental;
    /// <summary>Classes per task, tasks separated by '|': "0-4|5-9", "0,1|2,3|4,5|6,7|8,9". Domain-incremental: one class
    /// set (permuted tasks) or tasks of equal size whose labels are the classes' positions within their task.</summary>
    public string Tasks { get; init; } = "0-4|5-9";
    /// <summary>domain-incremental with one class set (Permuted MNIST): number of tasks; task 1 is unpermuted, each later one a fixed random pixel permutation of the same classes.</summary>
    public int Permutations { get; init; } = 5;
    public string Model { get; init; } = "linear";
    /// <summary>Hidden layer widths of the mlp model.</summary>
    public int[] HiddenSizes { get; init; } = [400, 400];
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; } = 0.01;
    public double Momentum { get; init; }
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 1;
    /// <summary>When set, each task trains for this many batches instead of whole epochs.</summary>
    public int? IterationsPerTask { get; init; }
    public string Strategy { get; init; } = "naive";
    /// <summary>replay: fraction of each finished task's training samples kept and replayed.</summary>
    public double ReplayRatio { get; init; } = 0.1;
    /// <summary>replay-reservoir: samples kept per class.</summary>
    public int MemoryPerClass { get; init; } = 20;
    /// <summary>ewc: penalty strength λ; null = Ewc.DefaultLambda(scenario), since useful values differ by orders of magnitude.</summary>
    public double? EwcLambda { get; init; }
    /// <summary>ewc: "separate" (one penalty per past task) or "online" (one running Fisher, decayed by EwcGamma).</summary>
    public string EwcMode { get; init; } = "separate";
    /// <summary>ewc online: decay of the running Fisher per task (1 = no decay).</summary>
    public double EwcGamma { get; init; } = 1.0;
    /// <summary>ewc: training samples used to estimate the diagonal Fisher at the end of each task.</summary>
    public int FisherSamples { get; init; } = 200;
    /// <summary>si: penalty strength c; null = SynapticIntelligence.DefaultC(scenario), capped with SGD for stability.</summary>
    public double? SiC { get; init; }
    /// <summary>lwf: weight of the distillation loss from the previous model.</summary>
    public double LwfAlpha { get; init; } = 1.0;
    /// <summary>lwf: softmax temperature of the distillation.</summary>
    public double LwfTemperature { get; init; } = 2.0;
    /// <summary>generative-replay: hidden width of the VAE's encoder and decoder (one hidden layer each).</summary>
    public int GeneratorHidden { get; init; } = 400;
    /// <summary>generative-replay: size of the VAE's latent code.</summary>
    public int GeneratorLatent { get; init; } = 32;
    public int Seed { get; init; }
    /// <summary>Live evaluation every this many training steps.</summary>
    public int EvalEvery { get; init; } = 10;
    /// <summary>Size of the fixed held-out test subset per task used for live curves (the matrix uses the full test set).</summary>
    public int EvalSamplesPerTask { get; init; } = 500;
    /// <summary>
    /// The default display pace for viewers of this run (steps per second; 0 = as fast as available). Training itself
    /// always runs at full speed; each viewer replays the run's events at its own pace (RunPlayback).
    /// </summary>
    public double Pace { get; init; }
    /// <summary>
    /// Parameters of strategies declared after this record's properties (e.g. der's derAlpha), kept flat in the JSON
    /// beside the fields above; read and written through StrategyParameterValues by their declared names.
    /// </summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? StrategyParameters { get; init; }
}

public static class Scenarios
{
    public const string ClassIncremental = "class-incremental";
    public const string TaskIncremental = "task-incremental";
    public const string DomainIncremental = "domain-incremental";

    /// <summary>Domain-incremental with one class set ("0-9"): Permuted MNIST, its tasks counted by Permutations.</summary>
    public static bool IsPermuted(RunConfig c) => c.Scenario == DomainIncremental && c.Tasks is { } tasks && !tasks.Contains('|');

    /// <summary>Domain-incremental with several tasks of equal size ("0,1|2,3|…"): one shared head, labels are positions within a task.</summary>
    public static bool IsSplitDomain(RunConfig c) => c.Scenario == DomainIncremental && c.Tasks is { } tasks && tasks.Contains('|');
}
