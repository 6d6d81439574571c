using static TorchSharp.torch;

namespace ContinualLearning.Engine.Tests;

/// <summary>Proves libtorch loads here: on Debian 12 this fails unless the GLIBCXX weak-version patch ran after build.</summary>
public class TorchLoadsTests
{
    [Fact]
    public void MatrixProductRuns()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }
}
