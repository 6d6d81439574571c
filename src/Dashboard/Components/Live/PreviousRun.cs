using ContinualLearning.Dashboard.History;
using ContinualLearning.Engine.Config;
using ContinualLearning.Storage;
using ContinualLearning.Storage.Comparison;
using Microsoft.Extensions.Logging;

namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>
/// The run drawn faintly behind a live one: its owner's newest earlier run on the same task split (same dataset and
/// tasks), with its accuracy curves, so naive vs replay is visible without leaving the page.
/// </summary>
public sealed record PreviousRun(string Id, string Name, IReadOnlyList<long> Steps, double[][] AccuracyByTask)
{
    /// <summary>The owner's newest run created before <paramref name="id"/> on the same split, if any (any status but queued).</summary>
    public static RunSummary? Pick(IEnumerable<RunSummary> runs, string id, string owner, DateTimeOffset createdAt, RunConfig config) =>
        runs.Where(r => r.Id != id && r.Owner == owner && r.CreatedAt <= createdAt && r.Status != Engine.Training.RunStatus.Queued
                        && r.Config.Dataset == config.Dataset && r.Config.Tasks == config.Tasks)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).FirstOrDefault();

    /// <summary>
    /// The previous run of <paramref name="source"/> with its curves as they are now, or null when there is none, it has
    /// no evaluation yet, or the run database cannot be read (the overlay is a nicety: the live view goes on without it).
    /// </summary>
    public static PreviousRun? Of(RunSource source, RunHistory history, ILogger logger)
    {
        try
        {
            if (Pick(history.ListRuns(), source.Id, source.Owner, source.CreatedAt, source.Config) is not { } summary) return null;
            if (history.Current(summary.Id) is not { } run) return null;
            var curves = RunCurves.From(run.Events);
            return curves.EvalSteps.Length == 0 ? null : new PreviousRun(summary.Id, summary.DisplayName, curves.EvalSteps, curves.AccuracyByTask);
        }
        catch (RunStoreUnavailableException e)
        {
            logger.LogWarning("No previous-run overlay for run {RunId}: {Reason}", source.Id, e.Message);
            return null;
        }
    }
}
