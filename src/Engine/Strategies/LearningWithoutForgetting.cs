using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// Learning without forgetting (Li and Hoiem 2017): no stored data; after each task a frozen copy of the model is kept,
/// and later tasks add α · T² · KL(previous ‖ current) between the two models' softened outputs (temperature T) on the
/// current inputs, over the classes of earlier tasks (per earlier task's head in task-incremental). In
/// domain-incremental the weight grows with the number of earlier tasks (α · (t−1) at task t): van de Ven et al. weigh
/// the current loss 1/t and the distillation (t−1)/t, whose ratio is the same; every earlier task is distilled through
/// the one output layer, so the old tasks' share of the loss keeps pace with how many there are.
/// </summary>
public sealed class LearningWithoutForgetting : Strategy
{
    nn.Module<Tensor, Tensor>? previous;
    long[][] groups = [];

    public static StrategyInfo Info { get; } = new("lwf", "lwf — learning without forgetting", "Distils the previous model's outputs; stores no data.",
        "Learning without forgetting: the previous model's outputs on new images become soft targets to keep matching; no old data is stored. α weighs them against the new task (in domain-incremental, α times the number of earlier tasks, as van de Ven et al. do); a higher temperature softens them.")
    {
        Parameters =
        [
            new("lwfAlpha", "Distillation weight α", "weight of the distillation loss") { Default = 1.0, Min = 0, Max = 100, SliderRange = (0, 10) },
            new("lwfTemperature", "Temperature", "distillation temperature") { Default = 2.0, Min = 0.1, Max = 20, SliderRange = (0.5, 10), Step = 0.5 },
        ],
    };

    public override string StrengthKnob => "α (lwfAlpha)";

    /// <summary>The distillation term (before α) of the last batch, for display and tests.</summary>
    public double LastDistillation { get; private set; }

    public override Tensor Loss(TrainingContext ctx, Batch batch)
    {
        var loss = ctx.CrossEntropy(batch);
        if (previous is null) return loss;
        var distillation = Distillation(ctx, batch.Inputs);
        LastDistillation = distillation.item<float>();
        return loss.Plus(distillation.Times(Weight(ctx.Config, ctx.Task)));
    }

    /// <summary>The distillation weight at a task (0-based): α, times the number of earlier tasks in domain-incremental.</summary>
    public static double Weight(RunConfig c, int task) => c.Scenario == Scenarios.DomainIncremental ? c.LwfAlpha * task : c.LwfAlpha;

    /// <summary>T² · mean over samples of Σ over class groups of KL(softmax(old/T) ‖ softmax(new/T)).</summary>
    public Tensor Distillation(TrainingContext ctx, Tensor inputs)
    {
        double temperature = ctx.Config.LwfTemperature;
        var current = ctx.Model.call(inputs).Times(1 / temperature);
        Tensor old;
        using (no_grad()) old = previous!.call(inputs).Times(1 / temperature);
        var sum = zeros(1);
        foreach (var group in groups)
        {
            var index = tensor(group);
            var target = old.index_select(1, index).log_softmax(1);
            var predicted = current.index_select(1, index).log_softmax(1);
            sum = sum.Plus((target.exp() * (target - predicted)).sum(1).mean());
        }
        return sum.Times(temperature * temperature);
    }

    public override void EndTask(TrainingContext ctx)
    {
        if (!ctx.MoreTasksFollow) return; // the frozen copy only teaches later tasks
        previous?.Dispose();
        previous = ctx.FrozenCopy();
        var seen = ctx.Stream.Tasks.Take(ctx.Task + 1).ToArray();
        // Class-incremental: one softmax over all classes seen so far; task-incremental: one per earlier head.
        // (Split domain-incremental: the one shared head's positions, which every earlier task used.)
        groups = ctx.Config.Scenario == Scenarios.TaskIncremental
            ? seen.Select(t => t.Classes.Select(k => (long)k).ToArray()).ToArray()
            : [ctx.SeenOutputs(ctx.Task + 1)];
    }

    public override void Dispose()
    {
        previous?.Dispose();
        base.Dispose();
    }
}
