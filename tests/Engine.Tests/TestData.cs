using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Engine.Tests;

/// <summary>Shared fixtures: the bundled catalog (loaded once per process) and a helper that runs a config to the end.</summary>
public static class TestData
{
    public static readonly DataSetCatalog Catalog = new(dataDirectory: null);

    public static TrainingRun Execute(RunConfig config)
    {
        var run = new TrainingRun(config, Catalog);
        run.Execute();
        return run;
    }

    public static IReadOnlyList<RunEvent> Events(TrainingRun run) => run.Events.Snapshot();

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cl-tests-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
