using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// SGD (with momentum) and Adam, step for step as torch.optim (and TorchSharp 0.107) compute them, but handing libtorch
/// no temporary Scalar: TorchSharp's own optimizers convert lr, β and ε to Scalars per call and keep no reference, so a
/// garbage collection can finalize one while libtorch reads it ("Unknown scalar type … mul_"; docs/torchsharp-on-debian.md).
/// Here every Scalar is a field of the optimizer, or a local that a using keeps alive until the step is done.
/// </summary>
public abstract class TrainingOptimizer : IDisposable
{
    protected readonly Parameter[] Parameters;
    readonly List<IDisposable> owned = [];

    protected TrainingOptimizer(IEnumerable<Parameter> parameters) => Parameters = parameters.ToArray();

    public static TrainingOptimizer Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0) => new SgdOptimizer(parameters, learningRate, momentum);

    public static TrainingOptimizer Adam(IEnumerable<Parameter> parameters, double learningRate) => new AdamOptimizer(parameters, learningRate);

    /// <summary>Zeroes every gradient in place (as TorchSharp's managed optimizers do).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var _ = no_grad();
        using var __ = NewDisposeScope();
        for (int i = 0; i < Parameters.Length; i++)
            if (Parameters[i].grad is { } grad) Update(i, Parameters[i], grad);
    }

    protected abstract void Update(int index, Parameter parameter, Tensor grad);

    /// <summary>A Scalar that lives as long as the optimizer.</summary>
    protected Scalar Kept(double value) => Own(value.ToScalar());

    /// <summary>A tensor of optimizer state, outside any dispose scope, disposed with the optimizer.</summary>
    protected Tensor State(Tensor tensor) => Own(tensor.DetachFromDisposeScope());

    T Own<T>(T disposable) where T : IDisposable { owned.Add(disposable); return disposable; }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        owned.Clear();
        GC.SuppressFinalize(this);
    }

    sealed class SgdOptimizer : TrainingOptimizer
    {
        readonly double momentum;
        readonly Scalar minusLearningRate, momentumFactor, one;
        readonly Tensor?[] buffers;

        public SgdOptimizer(IEnumerable<Parameter> parameters, double learningRate, double momentum) : base(parameters)
        {
            this.momentum = momentum;
            minusLearningRate = Kept(-learningRate); momentumFactor = Kept(momentum); one = Kept(1);
            buffers = new Tensor?[Parameters.Length];
        }

        protected override void Update(int index, Parameter parameter, Tensor grad)
        {
            if (momentum != 0)
            {
                // As torch.optim.SGD with dampening 0: the first buffer is the gradient itself, then b = μ·b + g.
                if (buffers[index] is { } buffer) buffer.mul_(momentumFactor).add_(grad, one);
                else buffers[index] = State(grad.clone().detach());
                grad = buffers[index]!;
            }
            // Plain SGD is exactly p.add_(grad, alpha: −lr), the same op a hand-written TorchSharp loop uses.
            parameter.add_(grad, minusLearningRate);
        }
    }

    sealed class AdamOptimizer : TrainingOptimizer
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        readonly double learningRate;
        readonly Scalar beta1, beta2, oneMinusBeta1, oneMinusBeta2, epsilon;
        readonly Tensor[] average, averageOfSquares;
        readonly long[] steps;

        public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate) : base(parameters)
        {
            this.learningRate = learningRate;
            beta1 = Kept(Beta1); beta2 = Kept(Beta2); oneMinusBeta1 = Kept(1 - Beta1); oneMinusBeta2 = Kept(1 - Beta2); epsilon = Kept(Epsilon);
            average = Parameters.Select(p => State(zeros_like(p))).ToArray();
            averageOfSquares = Parameters.Select(p => State(zeros_like(p))).ToArray();
            steps = new long[Parameters.Length];
        }

        protected override void Update(int index, Parameter parameter, Tensor grad)
        {
            long step = ++steps[index];
            double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
            // Per-step factors: alive until the end of this method by their using.
            using var rootOfCorrection2 = Math.Sqrt(correction2).ToScalar();
            using var minusStepSize = (-(learningRate / correction1)).ToScalar();
            average[index].mul_(beta1).add_(grad, oneMinusBeta1);
            averageOfSquares[index].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            var denominator = averageOfSquares[index].sqrt().div_(rootOfCorrection2).add_(epsilon);
            parameter.addcdiv_(average[index], denominator, minusStepSize);
        }
    }
}
