using ContinualLearning.Dashboard.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// The one rule for changing a running run's pace (REST /pace and the hub's SetPace): the pace a config may have
/// (0, or 0.5 to 10000 steps per second) and, as at submission, the whole run at that pace must fit the time budget,
/// so a live change cannot turn a 10,000-step run into a day-long one.
/// </summary>
public static class PaceChange
{
    public static ConfigError? Problem(TrainingRun run, double pace, RunQueue queue) =>
        ConfigValidator.CheckPace(pace)
        ?? ConfigValidator.Validate(run.Config with { Pace = pace }, queue.Catalog, queue.Budget).FirstOrDefault(e => e.Field == "pace");
}
