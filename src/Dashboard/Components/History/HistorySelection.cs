namespace ContinualLearning.Dashboard.Components.History;

/// <summary>
/// The runs ticked in the history grid, kept by run id and owned by the page (not the grid), so a refresh that
/// re-renders or re-reads rows never loses a tick. Ids of runs no longer listed (deleted, or in the other tab) are kept
/// but never counted: only ticked runs that are listed are compared or deleted.
/// </summary>
public sealed class HistorySelection
{
    readonly HashSet<string> ids = [];

    public bool IsTicked(HistoryRow row) => ids.Contains(row.Id);

    public void Tick(HistoryRow row, bool ticked)
    {
        if (ticked) ids.Add(row.Id);
        else ids.Remove(row.Id);
    }

    /// <summary>True when every one of <paramref name="shown"/> is ticked (and there is at least one).</summary>
    public bool AllTicked(IEnumerable<HistoryRow> shown)
    {
        bool any = false;
        foreach (var row in shown)
        {
            if (!ids.Contains(row.Id)) return false;
            any = true;
        }
        return any;
    }

    /// <summary>Ticks (or unticks) every one of <paramref name="shown"/>: the header box acts on the rows the filters let through.</summary>
    public void TickAll(IEnumerable<HistoryRow> shown, bool ticked)
    {
        foreach (var row in shown) Tick(row, ticked);
    }

    /// <summary>The ticked runs among <paramref name="listed"/>, in its order.</summary>
    public IReadOnlyList<HistoryRow> Among(IEnumerable<HistoryRow> listed) => listed.Where(IsTicked).ToArray();

    public void Clear() => ids.Clear();
}
