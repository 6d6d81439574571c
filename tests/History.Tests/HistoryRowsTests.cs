using ContinualLearning.Dashboard.Components.History;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.History.Tests;

/// <summary>The history grid's rows across refreshes: a run keeps its row object, so a tick never lands on a replaced row.</summary>
public class HistoryRowsTests
{
    // A fresh RunConfig (and so a summary unequal as a record: arrays compare by reference) on every read, as the store gives.
    static RunSummary Read(string id, RunStatus status = RunStatus.Finished, double? accuracy = 50, string? name = null) =>
        new() { Id = id, Config = new RunConfig(), Status = status, AverageAccuracy = accuracy, Name = name, EventCount = 7 };

    [Fact]
    public void A_re_read_with_nothing_shown_changed_keeps_the_very_same_rows()
    {
        var rows = HistoryRows.Refresh([], [Read("b"), Read("a")]);
        var again = HistoryRows.Refresh(rows, [Read("b") with { EventCount = 99 }, Read("a")]); // event count is not shown

        Assert.Same(rows, again);
        Assert.Equal(99, again[0].Summary.EventCount); // still the latest summary underneath
    }

    [Fact]
    public void A_run_whose_values_changed_keeps_its_row_object_updated_in_place()
    {
        var rows = HistoryRows.Refresh([], [Read("b", RunStatus.Running, accuracy: null), Read("a")]);
        var (running, finished) = (rows[0], rows[1]);

        var next = HistoryRows.Refresh(rows, [Read("b", RunStatus.Finished, accuracy: 61.5), Read("a", name: "renamed")]);

        Assert.NotSame(rows, next); // the grid is told something changed
        Assert.Same(running, next[0]);
        Assert.Same(finished, next[1]);
        Assert.Equal(RunStatus.Finished, next[0].Status);
        Assert.Equal(61.5, next[0].AverageAccuracy);
        Assert.Equal("renamed", next[1].DisplayName);
    }

    [Fact]
    public void A_new_run_gets_a_new_row_and_the_others_keep_theirs_in_the_new_order()
    {
        var rows = HistoryRows.Refresh([], [Read("b"), Read("a")]);

        var next = HistoryRows.Refresh(rows, [Read("c", RunStatus.Queued), Read("b"), Read("a")]);

        Assert.Equal(["c", "b", "a"], next.Select(r => r.Id));
        Assert.Same(rows[0], next[1]);
        Assert.Same(rows[1], next[2]);
        Assert.DoesNotContain(next[0], rows);
    }

    [Fact]
    public void A_deleted_or_reordered_run_is_a_change()
    {
        var rows = HistoryRows.Refresh([], [Read("c"), Read("b"), Read("a")]);

        var deleted = HistoryRows.Refresh(rows, [Read("c"), Read("a")]);
        Assert.Equal(["c", "a"], deleted.Select(r => r.Id));
        Assert.Same(rows[2], deleted[1]);

        var reordered = HistoryRows.Refresh(deleted, [Read("a"), Read("c")]);
        Assert.NotSame(deleted, reordered);
        Assert.Equal(["a", "c"], reordered.Select(r => r.Id));
        Assert.Same(deleted[1], reordered[0]);
    }
}
