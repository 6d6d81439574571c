using Plotly.Blazor;

namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>
/// One trace of a figure: how to draw it, and for a growing line the points it has so far. The count is taken when the
/// trace is made, so a figure describes one moment even while its point list keeps growing.
/// </summary>
public sealed class ChartTrace
{
    readonly Func<IEnumerable<(long X, double Y)>, ITrace> draw;
    readonly IReadOnlyList<(long X, double Y)>? points;

    ChartTrace(Func<IEnumerable<(long X, double Y)>, ITrace> draw, IReadOnlyList<(long X, double Y)>? points)
    {
        this.draw = draw;
        this.points = points;
        Count = points?.Count ?? 0;
    }

    /// <summary>Points the trace shows; 0 for a trace drawn whole.</summary>
    public int Count { get; }

    /// <summary>True for a line whose points only grow while its figure's basis stays the same.</summary>
    public bool Grows => points is not null;

    /// <summary>A line drawn from its points (at most the last Charts.PointCap of them), extendable point by point.</summary>
    public static ChartTrace Line(IReadOnlyList<(long X, double Y)> points, Func<IEnumerable<(long X, double Y)>, ITrace> draw) => new(draw, points);

    /// <summary>A trace drawn whole each time its figure changes (a heatmap, a static curve).</summary>
    public static ChartTrace Whole(Func<ITrace> draw) => new(_ => draw(), null);

    public ITrace Draw() => draw(points is null ? [] : Slice(0, Count));

    /// <summary>The points from index <paramref name="from"/> up to Count, at most the last Charts.PointCap of them.</summary>
    public IEnumerable<(long X, double Y)> Slice(int from, int to)
    {
        if (points is null) yield break;
        for (int i = Math.Max(from, to - Charts.PointCap); i < to; i++) yield return points[i];
    }
}

/// <summary>
/// What a chart must show, as a value: its traces and the key of its layout. While <see cref="Basis"/> stays the same
/// (by Equals), each growing trace's points only grow, so a chart holding fewer of them is brought up to date by
/// appending exactly the missing ones; any other difference redraws the chart whole.
/// </summary>
/// <param name="Basis">What the points come from (e.g. one fold of a run's events and the trace styles).</param>
/// <param name="Traces">The traces in order.</param>
/// <param name="LayoutKey">Changes whenever the chart's layout object was changed in place and must be sent again.</param>
public sealed record ChartFigure(object Basis, IReadOnlyList<ChartTrace> Traces, object? LayoutKey = null);

/// <summary>What a drawn chart holds: a figure's basis, points per trace and layout key, in the theme it was drawn in.</summary>
public sealed record ChartHolding(object Basis, int[] Counts, object? LayoutKey, bool Dark)
{
    public static ChartHolding Of(ChartFigure figure, bool dark) => new(figure.Basis, figure.Traces.Select(t => t.Count).ToArray(), figure.LayoutKey, dark);
}

/// <summary>
/// The calls that bring a chart holding one figure to another: nothing, or the whole figure (Redraw), or the missing
/// points of the traces that grew (Extend: trace index and the range of its points to append) and a relayout.
/// </summary>
public sealed record ChartUpdate(bool Redraw, IReadOnlyList<(int Trace, int From, int To)> Extend, bool Relayout)
{
    public bool IsNothing => !Redraw && Extend.Count == 0 && !Relayout;

    /// <summary>From what the chart holds (null: unknown or nothing yet) to <paramref name="figure"/> in the given theme.</summary>
    public static ChartUpdate Between(ChartHolding? held, ChartFigure figure, bool dark)
    {
        var counts = figure.Traces.Select(t => t.Count).ToArray();
        bool grew = held is not null && Equals(held.Basis, figure.Basis) && held.Counts.Length == counts.Length
            && figure.Traces.Select((t, i) => t.Grows ? counts[i] >= held.Counts[i] : counts[i] == held.Counts[i]).All(ok => ok);
        if (!grew) return new(true, [], false);
        var extend = Enumerable.Range(0, counts.Length).Where(i => counts[i] > held!.Counts[i]).Select(i => (i, held!.Counts[i], counts[i])).ToArray();
        return new(false, extend, !Equals(held!.LayoutKey, figure.LayoutKey) || held.Dark != dark);
    }
}
