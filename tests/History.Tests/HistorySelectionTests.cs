using ContinualLearning.Dashboard.Components.History;
using ContinualLearning.Engine.Config;
using ContinualLearning.Storage;

namespace ContinualLearning.History.Tests;

/// <summary>The history page's ticks: kept by run id across refreshes, counted only for runs listed, "all" over the rows shown.</summary>
public class HistorySelectionTests
{
    static List<HistoryRow> Rows(params string[] ids) => HistoryRows.Refresh([], ids.Select(id => new RunSummary { Id = id, Config = new RunConfig() }).ToList());

    [Fact]
    public void A_tick_survives_a_refresh_that_brings_new_row_objects()
    {
        var selection = new HistorySelection();
        var rows = Rows("a", "b");
        selection.Tick(rows[1], true);

        var reread = Rows("c", "a", "b"); // new objects, as after leaving and re-opening the page

        Assert.Equal(["b"], selection.Among(reread).Select(r => r.Id));
        Assert.True(selection.IsTicked(reread[2]));
    }

    [Fact]
    public void Unticking_and_clearing_remove_runs()
    {
        var selection = new HistorySelection();
        var rows = Rows("a", "b", "c");
        selection.Tick(rows[0], true);
        selection.Tick(rows[2], true);

        selection.Tick(rows[0], false);
        Assert.Equal(["c"], selection.Among(rows).Select(r => r.Id));

        selection.Clear();
        Assert.Empty(selection.Among(rows));
    }

    [Fact]
    public void Only_listed_runs_count_and_in_the_listed_order()
    {
        var selection = new HistorySelection();
        var rows = Rows("a", "b", "c");
        selection.TickAll(rows, true);

        Assert.Equal(["c", "a"], selection.Among(Rows("c", "a")).Select(r => r.Id)); // b deleted meanwhile
    }

    [Fact]
    public void All_ticked_is_over_the_rows_shown_and_false_for_none()
    {
        var selection = new HistorySelection();
        var rows = Rows("a", "b", "c");
        var shown = rows.Take(2).ToList(); // a filter hides c

        Assert.False(selection.AllTicked([]));
        Assert.False(selection.AllTicked(shown));

        selection.TickAll(shown, true);
        Assert.True(selection.AllTicked(shown));
        Assert.False(selection.AllTicked(rows));
        Assert.False(selection.IsTicked(rows[2]));

        selection.TickAll(shown, false);
        Assert.Empty(selection.Among(rows));
    }
}
