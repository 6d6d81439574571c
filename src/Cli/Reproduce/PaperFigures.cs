using ContinualLearning.Engine.Config;

namespace ContinualLearning.Cli.Reproduce;

/// <summary>One published figure: a method's final average accuracy in one scenario, mean and s.e.m. as the paper reports them.</summary>
public sealed record PaperFigure(string Strategy, string Scenario, double Mean, double Sem);

/// <summary>
/// The paper `continual reproduce` compares with, and the only place its figures live. Every figure here must be copied
/// from the article's table named in <see cref="Table"/>; none may be typed from memory or estimated.
/// </summary>
public static class PaperFigures
{
    public const string Citation =
        "van de Ven, G. M., Tuytelaars, T. & Tolias, A. S. Three types of incremental learning. " +
        "Nature Machine Intelligence 4, 1185-1197 (2022). https://doi.org/10.1038/s42256-022-00568-3";

    public const string Table = "its split MNIST results table (Table 2 of the article)";

    /// <summary>The paper's method for each of our strategies where they are the same method; the others have no published figure.</summary>
    public static readonly IReadOnlyDictionary<string, string> MethodByStrategy = new Dictionary<string, string>
    {
        ["naive"] = "None",
        ["joint"] = "Joint",
        ["ewc"] = "EWC",
        ["si"] = "SI",
        ["lwf"] = "LwF",
        ["er"] = "ER",
        ["agem"] = "A-GEM",
        ["generative-replay"] = "DGR",
    };

    /// <summary>
    /// The split MNIST figures. Empty: no reliable copy of the table could be read while this command was written
    /// (only the article's Split CIFAR-100 table was), so only our figures are printed. Add each figure from the table as
    /// new PaperFigure("ewc", Scenarios.TaskIncremental, mean, sem) and it is printed beside ours.
    /// </summary>
    public static readonly IReadOnlyList<PaperFigure> SplitMnist = [];

    public static PaperFigure? Find(string strategy, string scenario) =>
        SplitMnist.FirstOrDefault(f => f.Strategy == strategy && f.Scenario == scenario);

    /// <summary>What the printed table says about the paper's figures.</summary>
    public static string Note => SplitMnist.Count > 0
        ? $"Columns marked \"paper\" are van de Ven et al.'s figures (mean ± s.e.m.), from {Table}, not ours; their protocol trains on full MNIST for 2,000 iterations per task."
        : "The paper's figures are not printed: no reliable copy of its split MNIST table was available when this command was written, " +
          "and figures are never typed from memory. Only our own measurements are shown.";

    /// <summary>How the domain-incremental column is run: the paper's own split MNIST variant.</summary>
    public const string DomainNote =
        "domain-IL is the paper's split MNIST variant: the same five pairs of digits, one shared output of two units, " +
        "answered without the task's identity: first or second digit of the pair (0/2/4/6/8 vs 1/3/5/7/9). " +
        "Permuted MNIST, the other domain-incremental protocol, is the permuted-mnist preset.";

    /// <summary>The three scenarios in the paper's column order.</summary>
    public static readonly string[] ScenarioOrder = [Scenarios.TaskIncremental, Scenarios.DomainIncremental, Scenarios.ClassIncremental];
}
