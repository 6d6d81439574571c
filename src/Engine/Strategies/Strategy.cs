using ContinualLearning.Engine.Tasks;
using ContinualLearning.Engine.Training;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Strategies;

/// <summary>
/// A continual-learning strategy: a few hooks into the one training loop (like Mammoth's observe).
/// The loop calls, per task: BeginTask, then for each batch of TrainingSamples: Loss → backward → AfterBackward →
/// optimizer step → AfterStep; then EndTask. Tensors a strategy keeps across batches must be detached from the batch's
/// dispose scope (DetachFromDisposeScope) and disposed in Dispose.
/// </summary>
public abstract class Strategy : IDisposable
{
    /// <summary>A strategy that needs its own architecture (e.g. progressive networks) builds it here; null = the configured model.</summary>
    public virtual nn.Module<Tensor, Tensor>? CreateModel(TrainingContext ctx) => null;

    public virtual void BeginTask(TrainingContext ctx) { }

    /// <summary>The samples the current task trains on (shuffled by the loop each epoch).</summary>
    public virtual IReadOnlyList<Sample> TrainingSamples(TrainingContext ctx) => ctx.CurrentTask.Train;

    /// <summary>The loss for one batch; the default is plain cross-entropy on the batch.</summary>
    public virtual Tensor Loss(TrainingContext ctx, Batch batch) => ctx.CrossEntropy(batch);

    /// <summary>Gradients are computed, the step is not taken yet (gradient projection goes here).</summary>
    public virtual void AfterBackward(TrainingContext ctx) { }

    public virtual void AfterStep(TrainingContext ctx) { }

    /// <summary>
    /// End-of-task work; loops over samples should call ctx.ThrowIfCancelled() so Cancel acts within one iteration.
    /// Work that only serves later tasks is skipped when !ctx.MoreTasksFollow (the run ends after this task).
    /// </summary>
    public virtual void EndTask(TrainingContext ctx) { }

    /// <summary>Samples currently held in a replay memory, for display.</summary>
    public virtual IReadOnlyList<Sample> Memory => [];

    /// <summary>Parameters the model uses from the current task on (shown per task; grows for progressive networks).</summary>
    public virtual long ParameterCount(TrainingContext ctx) => Models.ModelFactory.ParameterCount(ctx.Model);

    /// <summary>A few images from the strategy's generator at the end of a task (generative replay), else null.</summary>
    public virtual byte[][]? GeneratedImages(TrainingContext ctx) => null;

    /// <summary>A few generator images during training, for some evaluation events; must not draw from ctx's random streams.</summary>
    public virtual byte[][]? LiveGeneratedImages(TrainingContext ctx) => null;

    /// <summary>The strategy's strength setting, named for the student when training diverges (e.g. "λ (ewcLambda)"); null = none.</summary>
    public virtual string? StrengthKnob => null;

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
