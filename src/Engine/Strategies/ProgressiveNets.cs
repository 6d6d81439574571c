using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Progressive neural networks (Rusu et al. 2016), task-incremental only: task k trains a fresh MLP column with
/// lateral adapters from the frozen columns of tasks before it, and is answered by that column. Earlier columns get
/// no gradient and are not in the optimizer, so earlier tasks' accuracies stay exactly as they were.
/// </summary>
public sealed class ProgressiveNets : Strategy
{
    ProgressiveNetwork? network;
    TrainingOptimizer? columnOptimizer;
    long[] columnSizes = [];

    public static StrategyInfo Info { get; } = new("pnn", "pnn — progressive networks (task-incr.)", "A new column per task; earlier ones frozen.",
        "Progressive networks add a column per task; earlier columns are frozen and reused through lateral links. Nothing is forgotten, but parameters grow per task and the task must be known.")
    {
        Scenarios = [Config.Scenarios.TaskIncremental],
        ScenarioReason = "progressive networks pick a column by task identity, which only task-incremental provides at test time",
        Requirements = [("model", c => c.Model == "mlp", "pnn builds one mlp column per task; set model to mlp")],
    };

    public override nn.Module<Tensor, Tensor>? CreateModel(TrainingContext ctx)
    {
        var data = ctx.Stream.Data;
        network = new ProgressiveNetwork(ctx.Stream.Tasks.Count, data.Train.PixelsPerImage, ctx.Config.HiddenSizes, data.ClassCount);
        columnSizes = Enumerable.Range(0, network.Columns).Select(k => network.ColumnParameters(k).Sum(p => p.numel())).ToArray();
        return network;
    }

    public override void BeginTask(TrainingContext ctx)
    {
        for (int k = 0; k < network!.Columns; k++)
            foreach (var p in network.ColumnParameters(k)) p.requires_grad = k == ctx.Task;
        network.DefaultColumn = ctx.Task;
        // Only the new column (with its adapters) is optimized: Adam's running moments must never touch frozen columns.
        columnOptimizer?.Dispose();
        ctx.Optimizer = columnOptimizer = ctx.CreateOptimizer(network.ColumnParameters(ctx.Task));
    }

    /// <summary>Parameters in the columns of tasks 1..k: grows with every task.</summary>
    public long ParametersUpTo(int task) => columnSizes.Take(task + 1).Sum();

    public override long ParameterCount(TrainingContext ctx) => ParametersUpTo(ctx.Task);

    public override void Dispose()
    {
        columnOptimizer?.Dispose();
        base.Dispose();
    }
}
