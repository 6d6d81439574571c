namespace ContinualLearning.Engine.Strategies;

/// <summary>Strategy names as used in configs, the CLI, REST and the dashboard. Register a new strategy here.</summary>
public static class StrategyRegistry
{
    static readonly Dictionary<string, Func<Strategy>> factories = new()
    {
        ["naive"] = () => new Naive(),
        ["replay"] = () => new Replay(),
        ["replay-reservoir"] = () => new ReservoirReplay(),
        ["joint"] = () => new Joint(),
        ["ewc"] = () => new Ewc(),
        ["si"] = () => new SynapticIntelligence(),
        ["lwf"] = () => new LearningWithoutForgetting(),
        ["agem"] = () => new Agem(),
        ["generative-replay"] = () => new GenerativeReplay(),
        ["pnn"] = () => new ProgressiveNets(),
    };

    public static IReadOnlyCollection<string> Names => factories.Keys;

    public static Strategy Create(string name) =>
        factories.TryGetValue(name, out var make) ? make() : throw new ArgumentException($"Unknown strategy '{name}'. Known: {string.Join(", ", Names)}.");
}
