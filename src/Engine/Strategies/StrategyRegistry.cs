using ContinualLearning.Engine.Config;

namespace ContinualLearning.Engine.Strategies;

/// <summary>Strategy names as used in configs, the CLI, REST and the dashboard. Register a new strategy here: one line.</summary>
public static class StrategyRegistry
{
    static readonly (StrategyInfo Info, Func<Strategy> Create)[] strategies =
    [
        (Naive.Info, () => new Naive()),
        (Replay.Info, () => new Replay()),
        (ReservoirReplay.Info, () => new ReservoirReplay()),
        (Joint.Info, () => new Joint()),
        (Ewc.Info, () => new Ewc()),
        (SynapticIntelligence.Info, () => new SynapticIntelligence()),
        (LearningWithoutForgetting.Info, () => new LearningWithoutForgetting()),
        (Agem.Info, () => new Agem()),
        (GenerativeReplay.Info, () => new GenerativeReplay()),
        (ProgressiveNets.Info, () => new ProgressiveNets()),
        (ExperienceReplay.Info, () => new ExperienceReplay()),
        (DarkExperienceReplay.Info, () => new DarkExperienceReplay()),
    ];

    public static IReadOnlyCollection<string> Names { get; } = [.. strategies.Select(s => s.Info.Name)];

    public static IReadOnlyList<StrategyInfo> All { get; } = [.. strategies.Select(s => s.Info)];

    public static StrategyInfo? Find(string? name) => All.FirstOrDefault(s => s.Name == name);

    public static StrategyInfo Info(string name) => Find(name) ?? throw Unknown(name);

    /// <summary>Every declared parameter with the strategies that read it (a field may be shared, e.g. memoryPerClass).</summary>
    public static IReadOnlyList<(StrategyParameter Parameter, string[] Strategies)> Parameters { get; } =
        [.. All.SelectMany(s => s.Parameters.Select(p => (p, s.Name))).GroupBy(x => x.p.Name)
            .Select(g => (g.First().p, g.Select(x => x.Name).ToArray()))];

    /// <summary>Parameters an older version declared, still accepted and checked by the validator but not offered.</summary>
    public static IReadOnlyList<StrategyParameter> LegacyParameters { get; } = [.. All.SelectMany(s => s.LegacyParameters).DistinctBy(p => p.Name)];

    /// <summary>The declaration of a parameter for the given strategy, or null when that strategy does not read it.</summary>
    public static StrategyParameter? ParameterOf(string? strategy, string field) => Find(strategy)?.Parameters.FirstOrDefault(p => p.Name == field);

    public static Strategy Create(string name)
    {
        foreach (var (info, make) in strategies) if (info.Name == name) return make();
        throw Unknown(name);
    }

    static ArgumentException Unknown(string name) => new($"Unknown strategy '{name}'. Known: {string.Join(", ", Names)}.");
}
