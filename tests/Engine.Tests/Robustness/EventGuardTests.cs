using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Tests.Robustness;

/// <summary>The event log is the one door out of the engine: it refuses NaN and ±∞, so no consumer can ever receive one.</summary>
public class EventGuardTests
{
    public static TheoryData<double> NonFinite => [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void NonFiniteLossOrAccuracyIsRefusedAndNotStored(double bad)
    {
        var log = new RunEventLog("r");
        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Step, Loss = 1 });
        var loss = Assert.Throws<NonFiniteEventException>(() => log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Step, Loss = bad }));
        var accuracy = Assert.Throws<NonFiniteEventException>(() => log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Evaluation, Accuracies = [50, bad] }));
        Assert.Equal(("loss", "accuracies"), (loss.Field, accuracy.Field));
        Assert.Equal(1, log.Count);
        Assert.False(log.IsComplete);
    }

    [Fact]
    public void NonFiniteResultIsRefused()
    {
        var result = RunResult.From(new RunConfig(), [[90, double.NaN], [10, 95]], 1, new DataSetInfo("mnist-10k", 1, 1, true));
        var log = new RunEventLog("r");
        var refused = Assert.Throws<NonFiniteEventException>(() => log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Finished, Result = result }));
        Assert.StartsWith("result.", refused.Field);
        Assert.Equal(0, log.Count);
    }

    [Theory]
    [InlineData("probability tensor contains either `inf`, `nan` or element < 0\nException raised from multinomial at /pytorch/aten/src/ATen/native/Distributions.cpp:605 (most recent call first):\nframe #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x9c (0x7f2b in /home/u/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native/libc10.so)")]
    [InlineData("Expected false to be true, but got false. (Could this error message be improved? If so, please report an enhancement request to PyTorch.) Exception raised from to at /pytorch/c10/core/Scalar.h:81")]
    [InlineData("IDX file not found: /srv/continual/data/mnist/train-images-idx3-ubyte.gz")]
    [InlineData("Data set 'mnist' is unavailable: could not download t10k-images-idx3-ubyte.gz (https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz: 404).")]
    [InlineData("Access to the path 'C:\\Users\\me\\data\\mnist\\t10k-labels-idx1-ubyte' is denied.")]
    public void FailureMessagesCarryNoPathsOrNativeFrames(string raw)
    {
        var message = FailureMessage.Sanitize(raw);
        Assert.DoesNotContain("/", message);
        Assert.DoesNotContain("\\", message);
        Assert.DoesNotContain("frame #", message);
        Assert.DoesNotContain(".so", message);
        Assert.DoesNotContain("\n", message);
        Assert.True(message.Length > 10, message);
    }

    [Fact]
    public void FailureMessagesAreBoundedAndKeepFileNames()
    {
        Assert.Equal("IDX file not found: train-images-idx3-ubyte.gz", FailureMessage.Sanitize("IDX file not found: /srv/data/mnist/train-images-idx3-ubyte.gz"));
        Assert.Equal(FailureMessage.MaxLength, FailureMessage.Sanitize(new string('x', 100_000)).Length);
        Assert.Equal("The run failed.", FailureMessage.Sanitize(" \n "));
        Assert.Equal("learning rate 0.01 with λ/2 and 0-4|5-9", FailureMessage.Sanitize("learning rate 0.01 with λ/2 and 0-4|5-9"));
    }
}
