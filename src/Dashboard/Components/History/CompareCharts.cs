using ContinualLearning.Dashboard.Components.Live;
using ContinualLearning.Storage.Comparison;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace ContinualLearning.Dashboard.Components.History;

/// <summary>
/// Charts of the compare and sweep pages, built on the live view's styling (Charts.Base). In comparisons a run keeps
/// one colour everywhere; tasks are told apart by line style.
/// </summary>
public static class CompareCharts
{
    /// <summary>Run colours (Okabe-Ito, colour-blind safe), distinct from nothing else on the page.</summary>
    public static readonly string[] RunColors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
    static readonly string[] TaskDashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

    public static string RunColor(int run) => RunColors[run % RunColors.Length];
    public static string TaskDash(int task) => TaskDashes[task % TaskDashes.Length];

    /// <summary>PNG export from the chart's own toolbar (Plotly's toImage), at a size fit for slides.</summary>
    public static Plotly.Blazor.Config Config() => new()
    {
        Responsive = true,
        DisplayLogo = false,
        ToImageButtonOptions = new { format = "png", scale = 2 },
    };

    /// <summary>
    /// A run's curve. The legend shows <paramref name="name"/> (shorten long run names with PlotlyText.Shorten); the
    /// hover shows <paramref name="fullName"/> (default: the name) whole. Both are escaped: run names are user text.
    /// </summary>
    public static Scatter Line(string name, string color, IReadOnlyList<long> x, IReadOnlyList<double> y, string dash = "solid", string? group = null, double width = 2.5, string? fullName = null) => new()
    {
        Name = PlotlyText.Escape(name),
        Meta = PlotlyText.Escape(fullName ?? name),
        HoverTemplate = "(%{x}, %{y})<extra>%{meta}</extra>",
        HoverLabel = new Plotly.Blazor.Traces.ScatterLib.HoverLabel { NameLength = -1 },
        LegendGroup = group,
        Mode = ModeFlag.Lines,
        X = x.Select(v => (object)v).ToList(),
        Y = y.Select(v => (object)Math.Round(v, 3)).ToList(),
        Line = new Line { Color = color, Width = (decimal)width, Dash = dash },
    };

    /// <summary>A shaded mean ± std band: the upper edge, then the lower edge filled up to it (no legend entries).</summary>
    public static IEnumerable<Scatter> Band(CurveBand band, string color, string group)
    {
        var x = band.Steps.Select(v => (object)v).ToList();
        yield return new Scatter
        {
            X = x, Y = band.Mean.Zip(band.Std, (m, s) => (object)Math.Round(m + s, 3)).ToList(), Mode = ModeFlag.Lines,
            Line = new Line { Width = 0, Color = color }, ShowLegend = false, LegendGroup = group, HoverInfo = HoverInfoFlag.Skip,
        };
        yield return new Scatter
        {
            X = x, Y = band.Mean.Zip(band.Std, (m, s) => (object)Math.Round(m - s, 3)).ToList(), Mode = ModeFlag.Lines,
            Line = new Line { Width = 0, Color = color }, Fill = FillEnum.ToNextY, FillColor = Transparent(color), ShowLegend = false,
            LegendGroup = group, HoverInfo = HoverInfoFlag.Skip,
        };
    }

    static string Transparent(string hex) =>
        $"rgba({Convert.ToInt32(hex[1..3], 16)},{Convert.ToInt32(hex[3..5], 16)},{Convert.ToInt32(hex[5..7], 16)},0.18)";

    /// <summary>An accuracy matrix on the fixed 0-100 scale, so heatmaps side by side share one colour scale.</summary>
    public static HeatMap Matrix(double[][] matrix, bool showScale) => new()
    {
        Z = matrix.Select(row => (object)row.Select(v => (object)Math.Round(v, 1)).ToArray()).ToList(),
        X = Enumerable.Range(1, matrix.Length == 0 ? 0 : matrix[0].Length).Select(j => (object)$"T{j}").ToList(),
        Y = Enumerable.Range(1, matrix.Length).Select(i => (object)$"after T{i}").ToList(),
        ZMin = 0, ZMax = 100, ColorScale = "Viridis",
        TextTemplate = "%{z:.1f}",
        HoverTemplate = "%{y}, test on %{x}: %{z:.1f}%<extra></extra>",
        ShowScale = showScale,
        XGap = 2, YGap = 2,
    };

    public static Plotly.Blazor.Layout MatrixLayout(bool dark, int height)
    {
        var layout = Charts.MatrixLayout(dark, height);
        layout.Margin = new Margin { L = 72, R = 8, T = 8, B = 44 };
        return layout;
    }

    public static Plotly.Blazor.Layout Layout(bool dark, int height, string x, string y, double[]? yRange = null)
    {
        var layout = Charts.Base(dark, height, x, y, yRange);
        layout.Margin = new Margin { L = 56, R = 16, T = 16, B = 110 };
        return layout;
    }
}
