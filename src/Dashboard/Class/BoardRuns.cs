using ContinualLearning.Dashboard.History;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.Dashboard.Class;

/// <summary>A run's task-1 test accuracy (%) at each evaluation, and how many steps the run plans (the x axis of its tile).</summary>
public sealed record Task1Curve(IReadOnlyList<(long Step, double Accuracy)> Points, long TotalSteps)
{
    public static readonly Task1Curve Empty = new([], 0);

    public static Task1Curve From(IEnumerable<RunEvent> events)
    {
        var points = new List<(long, double)>();
        long planned = 0, last = 0;
        foreach (var e in events)
        {
            if (e.Plan is { } plan) planned = plan.StepsPerTask.Sum();
            if (e.Kind == RunEventKind.Evaluation && e.Step is { } step && e.Accuracies is [var task1, ..] && double.IsFinite(task1))
            {
                points.Add((step, task1));
                last = step;
            }
        }
        return new(points, Math.Max(planned, last));
    }
}

/// <summary>One tile of the class board: whose run, which, where it stands, and its task-1 curve.</summary>
public sealed record BoardTile(string RunId, string Owner, string Title, RunStatus Status, DateTimeOffset CreatedAt, Task1Curve Curve);

/// <summary>How many of the board's runs wait, train, and have finished (in the board's window).</summary>
public sealed record BoardCounts(int Queued, int Running, int Finished);

public sealed record BoardSnapshot(IReadOnlyList<BoardTile> Tiles, BoardCounts Counts);

/// <summary>
/// What the class board shows: the runs of the last <see cref="Window"/> (stored ones, from any web node, and the ones
/// this server holds, whose status and events are newer), newest first, at most <see cref="MaxTiles"/>. One per board
/// (scoped): the curves of ended runs are read from the database once and kept while they stay on the board.
/// </summary>
public sealed class BoardRuns(IRunRegistry registry, RunHistory history, DisplayNames names)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(2);
    public const int MaxTiles = 60;
    /// <summary>Runs counted at most (the counts stay cheap to read every refresh).</summary>
    const int MaxCounted = 1000;

    readonly Dictionary<string, Task1Curve> endedCurves = [];

    public BoardSnapshot Read()
    {
        var since = DateTimeOffset.UtcNow - Window;
        var stored = history.Store.ListRecentRuns(since, MaxCounted);
        var live = registry.All().Where(r => r.CreatedAt >= since).ToDictionary(r => r.Id);
        var storedIds = stored.Select(s => s.Id).ToHashSet();
        var rows = stored.Select(s => (s.Id, s.Owner, Title: s.DisplayName, Status: live.TryGetValue(s.Id, out var l) ? l.Status : s.Status, s.CreatedAt))
            .Concat(live.Values.Where(r => !storedIds.Contains(r.Id)).Select(r => (r.Id, r.Owner, Title: RunSummary.DefaultName(r.Config), r.Status, r.CreatedAt)))
            .OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();
        var counts = new BoardCounts(rows.Count(r => r.Status == RunStatus.Queued), rows.Count(r => r.Status == RunStatus.Running), rows.Count(r => r.Status == RunStatus.Finished));
        var tiles = rows.Take(MaxTiles).Select(r => new BoardTile(r.Id, names.Show(r.Owner), r.Title, r.Status, r.CreatedAt,
            CurveOf(r.Id, r.Status, live.GetValueOrDefault(r.Id)))).ToArray();
        foreach (var gone in endedCurves.Keys.Except(tiles.Select(t => t.RunId)).ToArray()) endedCurves.Remove(gone);
        return new(tiles, counts);
    }

    Task1Curve CurveOf(string id, RunStatus status, TrainingRun? live)
    {
        if (endedCurves.TryGetValue(id, out var kept)) return kept;
        if (status == RunStatus.Queued) return Task1Curve.Empty;
        var curve = Task1Curve.From(live is not null ? live.Events.Snapshot() : history.Store.GetEvents(id));
        bool ended = live is not null ? live.Events.IsComplete : status is not (RunStatus.Running or RunStatus.Queued);
        if (ended) endedCurves[id] = curve;
        return curve;
    }
}
