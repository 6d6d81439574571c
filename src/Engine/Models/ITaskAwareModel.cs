using static TorchSharp.torch;

namespace ContinualLearning.Engine.Models;

/// <summary>A model whose forward pass depends on each sample's task (e.g. progressive networks pick a column per task).</summary>
public interface ITaskAwareModel
{
    /// <summary>Logits [B, classes] for inputs [B, pixels] and task ids [B].</summary>
    Tensor Forward(Tensor inputs, Tensor taskIds);
}
