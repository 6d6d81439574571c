using TorchSharp;

namespace ContinualLearning.Engine.Models;

/// <summary>
/// libtorch has one default generator per process, and building a layer draws its initial weights from it. Every
/// module is built through here, under one lock, so a run seeded with s starts from the same weights whatever else
/// the process builds at that moment: other runs' models, their frozen copies at task ends, tests.
/// </summary>
public static class TorchRandom
{
    static readonly Lock BuildLock = new();

    /// <summary>Seeds the process-wide generator and builds, with no other build in between.</summary>
    public static T Seeded<T>(long seed, Func<T> build)
    {
        lock (BuildLock)
        {
            torch.manual_seed(seed);
            return build();
        }
    }

    /// <summary>Builds modules whose initial weights are overwritten at once (a copy), without drawing in a seeded build.</summary>
    public static T Unseeded<T>(Func<T> build)
    {
        lock (BuildLock) return build();
    }
}
