using TorchSharp;
using ContinualLearning.Engine.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ContinualLearning.Engine.Models;

/// <summary>
/// Progressive neural network (Rusu et al. 2016): one MLP column per task. Layer l of column k sees its own layer l−1
/// and, through a lateral adapter (a linear map), layer l−1 of every earlier column j &lt; k. Column k's logits answer for
/// task k, so later columns can never change what earlier ones compute. All columns are built up front (deterministic
/// initialisation); the strategy trains one at a time.
/// </summary>
public sealed class ProgressiveNetwork : Module<Tensor, Tensor>, ITaskAwareModel
{
    readonly ModuleDict<Module<Tensor, Tensor>> layers = new();
    readonly int depth;

    public ProgressiveNetwork(int columns, int inputs, IReadOnlyList<int> hiddenSizes, int classes) : base(nameof(ProgressiveNetwork))
    {
        var widths = new[] { inputs }.Concat(hiddenSizes).Append(classes).ToArray();
        depth = widths.Length - 1;
        Columns = columns;
        for (int k = 0; k < columns; k++)
            for (int l = 0; l < depth; l++)
            {
                layers.Add((Name(k, l), Linear(widths[l], widths[l + 1])));
                if (l > 0) for (int j = 0; j < k; j++) layers.Add((Lateral(k, l, j), Linear(widths[l], widths[l + 1], hasBias: false)));
            }
        RegisterComponents();
    }

    public int Columns { get; }

    /// <summary>The column forward(inputs) uses when no task ids are given.</summary>
    public int DefaultColumn { get; set; }

    static string Name(int column, int layer) => $"c{column}_l{layer}";
    static string Lateral(int column, int layer, int from) => $"c{column}_l{layer}_from{from}";

    /// <summary>Parameters of column k and its lateral adapters: what training task k adds.</summary>
    public IEnumerable<Parameter> ColumnParameters(int column) =>
        layers.keys().Where(name => name.StartsWith($"c{column}_")).SelectMany(name => layers[name].parameters());

    public override Tensor forward(Tensor inputs) => Forward(inputs, tensor(Enumerable.Repeat((long)DefaultColumn, (int)inputs.shape[0]).ToArray()));

    public Tensor Forward(Tensor inputs, Tensor taskIds)
    {
        int last = (int)taskIds.max().item<long>();
        var activations = new List<Tensor[]>(); // activations[k][l] = input of layer l in column k
        var outputs = new List<Tensor>();
        for (int k = 0; k <= last; k++)
        {
            var column = new Tensor[depth + 1];
            column[0] = inputs;
            for (int l = 0; l < depth; l++)
            {
                var z = layers[Name(k, l)].call(column[l]);
                if (l > 0) for (int j = 0; j < k; j++) z = z.Plus(layers[Lateral(k, l, j)].call(activations[j][l]));
                column[l + 1] = l < depth - 1 ? functional.relu(z) : z;
            }
            activations.Add(column);
            outputs.Add(column[depth]);
        }
        // [B, columns, classes] → each sample's own column.
        var stacked = stack(outputs, 1);
        var index = taskIds.view(-1, 1, 1).expand(-1, 1, stacked.shape[2]);
        return stacked.gather(1, index).squeeze(1);
    }
}
