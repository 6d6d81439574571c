using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ContinualLearning.Engine.Models;

/// <summary>The classifiers a run can train. Every model maps a batch of flattened images [B, pixels] to logits [B, classes].</summary>
public static class ModelFactory
{
    public static readonly string[] Names = ["linear", "mlp", "cnn"];

    public static Module<Tensor, Tensor> Create(string name, int side, int classes, IReadOnlyList<int> hiddenSizes) => name switch
    {
        "linear" => Sequential(("fc", Linear(side * side, classes))),
        "mlp" => Mlp(side * side, classes, hiddenSizes),
        "cnn" => Cnn(side, classes),
        _ => throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", Names)}."),
    };

    static Module<Tensor, Tensor> Mlp(int inputs, int classes, IReadOnlyList<int> hiddenSizes)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int width = inputs;
        for (int i = 0; i < hiddenSizes.Count; i++)
        {
            layers.Add(($"fc{i + 1}", Linear(width, hiddenSizes[i])));
            layers.Add(($"relu{i + 1}", ReLU()));
            width = hiddenSizes[i];
        }
        layers.Add(("out", Linear(width, classes)));
        return Sequential(layers);
    }

    // Two 5x5 conv blocks with pooling, then a small dense head: enough for MNIST-like 28x28 inputs.
    static Module<Tensor, Tensor> Cnn(int side, int classes)
    {
        int pooled = side / 4;
        return Sequential(
            ("unflatten", Unflatten(1, [1, side, side])),
            ("conv1", Conv2d(1, 16, 5, padding: 2)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(16, 32, 5, padding: 2)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("fc", Linear(32 * pooled * pooled, 128)), ("relu3", ReLU()),
            ("out", Linear(128, classes)));
    }

    public static long ParameterCount(Module module) => module.parameters().Sum(p => p.numel());
}
