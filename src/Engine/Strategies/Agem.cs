using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Averaged gradient episodic memory (Chaudhry et al. 2019). Each finished task leaves agemMemoryPerClass samples of
/// each of its classes in the memory (the paper's budget is per class; 100 by default, as van de Ven et al. 2022 use).
/// After each backward pass the gradient g is compared with the gradient g_ref of a random memory batch; if they
/// conflict (g·g_ref &lt; 0) g is projected to g − (g·g_ref / g_ref·g_ref) g_ref, so the step does not increase the
/// memory loss to first order.
/// </summary>
public sealed class Agem : Strategy
{
    readonly List<Sample> memory = [];

    public static readonly StrategyParameter MemoryPerClass =
        new("agemMemoryPerClass", "Memory per class (samples)", "samples of each class of a finished task kept in memory") { Kind = ParameterKind.Integer, Default = 100, Min = 1, Max = 10_000 };

    /// <summary>
    /// The field before the budget was per class: a total per finished task, drawn at random from it. Configs stored
    /// or linked with it still load and, when it is set, run as they did; it is no longer offered.
    /// </summary>
    public static readonly StrategyParameter LegacyMemoryPerTask =
        new("agemMemoryPerTask", "Memory per task (samples)", "legacy: samples of each finished task kept in memory, instead of per class") { Kind = ParameterKind.Integer, Min = 1, Max = 10_000 };

    public static StrategyInfo Info { get; } = new("agem", "agem — gradient projection on a memory", "Projects gradients so a memory's loss does not rise.",
        "A-GEM: projects each gradient so the loss on a small episodic memory does not rise. More memory per class is a truer constraint, at more storage and compute.")
    {
        Parameters = [MemoryPerClass],
        LegacyParameters = [LegacyMemoryPerTask],
    };

    public override IReadOnlyList<Sample> Memory => memory;

    /// <summary>Steps whose gradient was projected, and the smallest cosine between the stepped gradient and g_ref (≥ 0 up to rounding).</summary>
    public int Projections { get; private set; }
    public double SmallestCosineAfterProjection { get; private set; } = double.PositiveInfinity;

    public override void AfterBackward(TrainingContext ctx)
    {
        if (memory.Count == 0) return;
        var parameters = ctx.Model.parameters().Where(p => p.requires_grad).ToArray();
        var gradient = Flatten(parameters);
        ctx.Model.zero_grad();
        var reference = memory.OrderBy(_ => ctx.Random.Next()).Take(ctx.Config.BatchSize).ToArray();
        ctx.CrossEntropy(ctx.MakeBatch(reference)).backward();
        var referenceGradient = Flatten(parameters);
        var projected = Project(gradient, referenceGradient, out bool changed);
        if (changed) Projections++;
        double cosine = projected.dot(referenceGradient).item<float>()
            / (Math.Sqrt(projected.dot(projected).item<float>() * (double)referenceGradient.dot(referenceGradient).item<float>()) + 1e-12);
        SmallestCosineAfterProjection = Math.Min(SmallestCosineAfterProjection, cosine);
        using var _ = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            p.grad!.copy_(projected.narrow(0, offset, p.numel()).view_as(p));
            offset += p.numel();
        }
    }

    /// <summary>g unchanged when it agrees with g_ref, else its projection onto the half-space g·g_ref ≥ 0.</summary>
    public static Tensor Project(Tensor gradient, Tensor reference, out bool changed)
    {
        double dot = gradient.dot(reference).item<float>();
        changed = dot < 0;
        return changed ? gradient - reference.Times(dot / reference.dot(reference).item<float>()) : gradient;
    }

    static Tensor Flatten(IEnumerable<TorchSharp.Modules.Parameter> parameters) =>
        cat(parameters.Select(p => p.grad is { } g ? g.detach().flatten() : zeros(p.numel())).ToArray()).clone();

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // the memory only constrains later tasks
        var train = ctx.CurrentTask.Train.ToArray();
        ctx.Random.Shuffle(train);
        if (StrategyParameterValues.Get(ctx.Config, LegacyMemoryPerTask.Name) is not null)
        {
            memory.AddRange(train.Take((int)LegacyMemoryPerTask.Number(ctx.Config)));
            return;
        }
        var labels = ctx.Stream.Data.Train.Labels;
        memory.AddRange(train.GroupBy(s => labels[s.Index]).OrderBy(g => g.Key).SelectMany(g => g.Take((int)MemoryPerClass.Number(ctx.Config))));
    }

    /// <summary>Samples the memory holds after the given number of finished tasks (for the cost estimate and tests).</summary>
    public static int MemoryAfter(Config.RunConfig c, IEnumerable<int> classesPerFinishedTask) =>
        StrategyParameterValues.Get(c, LegacyMemoryPerTask.Name) is not null
            ? classesPerFinishedTask.Count() * (int)LegacyMemoryPerTask.Number(c)
            : classesPerFinishedTask.Sum() * (int)MemoryPerClass.Number(c);
}
