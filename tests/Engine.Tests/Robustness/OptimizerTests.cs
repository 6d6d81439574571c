using ContinualLearning.Engine.Models;
using ContinualLearning.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests.Robustness;

/// <summary>The engine's own SGD and Adam (no temporary Scalars) take exactly the steps TorchSharp's optimizers take.</summary>
public class OptimizerTests
{
    [Theory]
    [InlineData("sgd", 0.0)]
    [InlineData("sgd", 0.9)]
    [InlineData("adam", 0.0)]
    public void StepsAreBitForBitThoseOfTorchSharp(string kind, double momentum)
    {
        const double lr = 0.01;
        var ours = Train(ps => TrainingOptimizer.Sgd(ps, lr, momentum), ps => TrainingOptimizer.Adam(ps, lr), kind);
        var theirs = TrainReference(kind, lr, momentum);
        Assert.Equal(theirs.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(theirs[i], ours[i]);
    }

    const int Steps = 25;

    /// <summary>
    /// The same problem on every call, drawn from a generator of its own: other tests draw from (and seed) the
    /// process-wide generator at the same time, so torch.manual_seed here would not give both optimizers one start.
    /// </summary>
    static (nn.Module<Tensor, Tensor> Model, Tensor Inputs, Tensor Labels) Problem()
    {
        using var generator = new torch.Generator(5);
        // Built under the engine's build lock: its draws must not fall inside another test's seeded build.
        var model = TorchRandom.Unseeded(() => nn.Sequential(("fc1", nn.Linear(20, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 4))));
        using (torch.no_grad())
            foreach (var p in model.parameters()) p.copy_(torch.randn(p.shape, generator: generator));
        return (model, torch.randn([32, 20], generator: generator), torch.randint(0, 4, [32], generator: generator));
    }

    static float[] Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, TrainingOptimizer> sgd, Func<IEnumerable<TorchSharp.Modules.Parameter>, TrainingOptimizer> adam, string kind)
    {
        using var scope = NewDisposeScope();
        var (model, inputs, labels) = Problem();
        using var optimizer = kind == "adam" ? adam(model.parameters()) : sgd(model.parameters());
        for (int i = 0; i < Steps; i++)
        {
            optimizer.ZeroGrad();
            nn.functional.cross_entropy(model.call(inputs), labels).backward();
            optimizer.Step();
        }
        return Flat(model);
    }

    static float[] TrainReference(string kind, double lr, double momentum)
    {
        using var scope = NewDisposeScope();
        var (model, inputs, labels) = Problem();
        using optim.Optimizer optimizer = kind == "adam" ? optim.Adam(model.parameters(), lr) : optim.SGD(model.parameters(), lr, momentum);
        for (int i = 0; i < Steps; i++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(inputs), labels).backward();
            optimizer.step();
        }
        return Flat(model);
    }

    static float[] Flat(nn.Module model) => model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();

    [Fact]
    public void ZeroGradZeroesEveryGradient()
    {
        using var scope = NewDisposeScope();
        var (model, inputs, labels) = Problem();
        using var optimizer = TrainingOptimizer.Adam(model.parameters(), 0.001);
        nn.functional.cross_entropy(model.call(inputs), labels).backward();
        Assert.Contains(model.parameters(), p => p.grad!.abs().sum().item<float>() > 0);
        optimizer.ZeroGrad();
        Assert.All(model.parameters(), p => Assert.Equal(0, p.grad!.abs().sum().item<float>()));
    }
}
