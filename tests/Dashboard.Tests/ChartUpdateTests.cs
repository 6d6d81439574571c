using ContinualLearning.Dashboard.Components.Live;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// How a chart is brought to what it must show: exactly the missing points while the figure only grew, the whole
/// figure otherwise, and nothing when it holds it already, whatever happened to earlier calls.
/// </summary>
public class ChartUpdateTests
{
    static readonly object Fold = new(), OtherFold = new();

    static ChartFigure Figure(object basis, object? layoutKey, params List<(long X, double Y)>[] lines) =>
        new(basis, lines.Select(l => ChartTrace.Line(l, p => new Plotly.Blazor.Traces.Scatter())).ToArray(), layoutKey);

    static List<(long X, double Y)> Points(int n) => Enumerable.Range(0, n).Select(i => ((long)i, (double)i)).ToList();

    [Fact]
    public void A_chart_holding_nothing_known_draws_the_figure_whole()
    {
        var update = ChartUpdate.Between(null, Figure(Fold, 1, Points(3)), dark: false);
        Assert.True(update.Redraw);
        Assert.Empty(update.Extend);
    }

    [Fact]
    public void A_grown_figure_sends_exactly_the_missing_points_and_the_new_layout()
    {
        var a = Points(3); var b = Points(1);
        var held = ChartHolding.Of(Figure(Fold, 1, a, b), dark: false);
        a.AddRange([(3, 3), (4, 4)]);

        var update = ChartUpdate.Between(held, Figure(Fold, 2, a, b), dark: false);

        Assert.False(update.Redraw);
        Assert.Equal(new[] { (0, 3, 5) }, update.Extend);
        Assert.True(update.Relayout);
    }

    [Fact]
    public void The_same_figure_again_is_nothing_to_do()
    {
        var a = Points(4);
        var held = ChartHolding.Of(Figure(Fold, 7, a), dark: true);
        Assert.True(ChartUpdate.Between(held, Figure(Fold, 7, a), dark: true).IsNothing);
    }

    [Fact]
    public void A_new_fold_fewer_points_or_other_traces_redraw_whole()
    {
        var held = ChartHolding.Of(Figure(Fold, 1, Points(4), Points(4)), dark: false);
        Assert.True(ChartUpdate.Between(held, Figure(OtherFold, 1, Points(9), Points(9)), false).Redraw); // moved back and folded anew
        Assert.True(ChartUpdate.Between(held, Figure(Fold, 1, Points(3), Points(4)), false).Redraw);
        Assert.True(ChartUpdate.Between(held, Figure(Fold, 1, Points(4), Points(4), Points(1)), false).Redraw); // a trace added
    }

    [Fact]
    public void A_theme_change_relays_out_only()
    {
        var a = Points(2);
        var held = ChartHolding.Of(Figure(Fold, 1, a), dark: false);
        var update = ChartUpdate.Between(held, Figure(Fold, 1, a), dark: true);
        Assert.False(update.Redraw);
        Assert.Empty(update.Extend);
        Assert.True(update.Relayout);
    }

    [Fact]
    public void A_trace_drawn_whole_redraws_only_when_its_basis_changes()
    {
        var held = ChartHolding.Of(new ChartFigure((Fold, 1), [ChartTrace.Whole(() => new Plotly.Blazor.Traces.HeatMap())]), false);
        Assert.True(ChartUpdate.Between(held, new ChartFigure((Fold, 1), [ChartTrace.Whole(() => new Plotly.Blazor.Traces.HeatMap())]), false).IsNothing);
        Assert.True(ChartUpdate.Between(held, new ChartFigure((Fold, 2), [ChartTrace.Whole(() => new Plotly.Blazor.Traces.HeatMap())]), false).Redraw);
    }

    /// <summary>
    /// A simulated chart under a seeded mix of growth, refolds and failed calls (a failed call may or may not have
    /// reached the chart): after the last figure is shown on a call that completes, the chart holds exactly its points.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Dropped_or_half_done_calls_are_repaired_by_the_next_one(int seed)
    {
        var random = new Random(seed);
        var points = Points(0);
        object basis = new();
        var shown = new List<(long X, double Y)>(); // what the simulated chart draws
        ChartHolding? held = null;
        for (int frame = 0; frame < 500; frame++)
        {
            if (random.Next(10) == 0) { basis = new(); points = Points(random.Next(points.Count + 1)); } // moved back: a new fold
            for (int n = random.Next(4); n > 0; n--) points.Add((points.Count, points.Count));
            var figure = Figure(basis, points.Count, points);
            var update = ChartUpdate.Between(held, figure, false);
            bool reached = random.Next(4) != 0, completed = reached && random.Next(3) != 0;
            if (reached) Apply(shown, figure, update);
            held = completed ? ChartHolding.Of(figure, false) : null;
        }
        var last = Figure(basis, points.Count, points);
        Apply(shown, last, ChartUpdate.Between(held, last, false));
        Assert.Equal(points, shown);
    }

    static void Apply(List<(long X, double Y)> shown, ChartFigure figure, ChartUpdate update)
    {
        if (update.Redraw) { shown.Clear(); shown.AddRange(figure.Traces[0].Slice(0, figure.Traces[0].Count)); return; }
        foreach (var (trace, from, to) in update.Extend) shown.AddRange(figure.Traces[trace].Slice(from, to));
    }
}
