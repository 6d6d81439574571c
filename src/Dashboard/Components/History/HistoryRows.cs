using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.Dashboard.Components.History;

/// <summary>
/// One run's row in the history grid. The row object lives as long as the run is listed: a refresh that brings new
/// values for the run updates this same object, so the grid keeps the row (and a tick landing on it) instead of
/// replacing it. It shows what the grid shows, read from the run's latest summary.
/// </summary>
public sealed class HistoryRow(RunSummary summary)
{
    public RunSummary Summary { get; internal set; } = summary;

    public string Id => Summary.Id;
    public string? Name => Summary.Name;
    public string DisplayName => Summary.DisplayName;
    public string Owner => Summary.Owner;
    public RunStatus Status => Summary.Status;
    public string? RecordingError => Summary.RecordingError;
    public string Dataset => Summary.Dataset;
    public string Tasks => Summary.Tasks;
    public string Strategy => Summary.Strategy;
    public string? KeyParameter => Summary.KeyParameter;
    public string Model => Summary.Model;
    public int Seed => Summary.Seed;
    public double? AverageAccuracy => Summary.AverageAccuracy;
    public double? Forgetting => Summary.Forgetting;
    public double? BackwardTransfer => Summary.BackwardTransfer;
    public long? DurationMs => Summary.DurationMs;
    public DateTimeOffset? StartedAt => Summary.StartedAt;

    /// <summary>Everything a row displays (or filters and sorts on): two summaries alike here render alike.</summary>
    internal static object Shown(RunSummary r) => (r.Id, r.DisplayName, r.Owner, r.Status, r.RecordingError, r.Dataset, r.Tasks, r.Strategy,
        r.KeyParameter, r.Model, r.Seed, r.AverageAccuracy, r.Forgetting, r.BackwardTransfer, r.DurationMs, r.StartedAt, r.Name);
}

/// <summary>
/// The history grid's rows across refreshes (every 2 s while a run is going). A re-read gives new summary objects for
/// every run; rows are matched to them by run id, so a run keeps its row object, updated in place only when what it
/// shows changed; only runs new to the list get new rows. The grid then re-renders rows, never replaces them.
/// </summary>
public static class HistoryRows
{
    /// <summary>
    /// The rows for <paramref name="fresh"/> (in its order), reusing <paramref name="shown"/>'s row objects by run id.
    /// Returns <paramref name="shown"/> itself when nothing shown changed (same runs, same order, same values).
    /// </summary>
    public static List<HistoryRow> Refresh(List<HistoryRow> shown, IReadOnlyList<RunSummary> fresh)
    {
        var byId = shown.ToDictionary(r => r.Id);
        bool changed = shown.Count != fresh.Count;
        var rows = new List<HistoryRow>(fresh.Count);
        for (int i = 0; i < fresh.Count; i++)
        {
            var summary = fresh[i];
            if (byId.TryGetValue(summary.Id, out var row))
            {
                if (!Equals(HistoryRow.Shown(row.Summary), HistoryRow.Shown(summary))) changed = true;
                row.Summary = summary; // in place, even when unchanged: not-shown fields (event count) stay current
            }
            else
            {
                row = new HistoryRow(summary);
                changed = true;
            }
            if (!changed && !ReferenceEquals(shown[i], row)) changed = true; // moved
            rows.Add(row);
        }
        return changed ? rows : shown;
    }
}
