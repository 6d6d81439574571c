using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// Arithmetic that does not create a temporary Scalar per call. TorchSharp 0.107's Tensor + Tensor passes an implicit
/// Scalar alpha = 1 by handle and keeps no reference to it, so a garbage collection triggered by another thread can
/// finalize it while libtorch still reads it ("Expected false to be true ... toFloat", seen in long SI runs; see
/// dotnet/TorchSharp#1434). Scalars kept here are static roots and never finalized; scale factors go in as tensors,
/// which the batch's dispose scope keeps alive. Optimizer steps keep theirs in TrainingOptimizer. Use these instead of
/// tensor * double, tensor / double, pow, square, add with alpha and the like.
/// </summary>
public static class StableScalars
{
    static readonly Scalar One = 1.0.ToScalar();

    /// <summary>255, for turning 8-bit pixels into [0, 1].</summary>
    public static readonly Scalar ByteMaximum = 255.0.ToScalar();

    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a += b, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>a², as a · a (TorchSharp's square() is pow with an implicit Scalar 2).</summary>
    public static Tensor Squared(Tensor a) => a * a;

    /// <summary>a · factor, with the factor as a 0-d tensor of a's type.</summary>
    public static Tensor Times(this Tensor a, double factor) => a.mul(tensor(factor, a.dtype));
}
