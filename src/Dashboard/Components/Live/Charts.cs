using ContinualLearning.Dashboard.Components.Layout;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;

namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>Plotly traces and layouts of the live view, styled for a projector: large fonts, task colours, light grids.</summary>
public static class Charts
{
    /// <summary>Points kept per trace (Plotly extendTraces max); a 100-epoch run on full MNIST still draws smoothly.</summary>
    public const int PointCap = 5000;

    /// <summary>Decimals a line's values are sent with (whole draws and extensions alike).</summary>
    public const int Digits = 3;

    const string FontFamily = "Inter, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

    public static Config Config() => new() { Responsive = true, DisplayLogo = false, DisplayModeBar = Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False };

    static string Text(bool dark) => dark ? "#e3e8f2" : "#2b3445";
    static string Grid(bool dark) => dark ? "rgba(255,255,255,0.10)" : "rgba(0,0,0,0.08)";

    public static Plotly.Blazor.Layout Base(bool dark, int height, string xTitle, string yTitle, double[]? yRange = null) => new()
    {
        Height = height,
        AutoSize = true,
        PaperBgColor = "rgba(0,0,0,0)",
        PlotBgColor = "rgba(0,0,0,0)",
        Font = new Font { Family = FontFamily, Size = 14, Color = Text(dark) },
        Margin = new Margin { L = 56, R = 16, T = 30, B = 92 },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = PlotlyText.Escape(xTitle) }, GridColor = Grid(dark), ZeroLine = false }],
        YAxis = [new YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = PlotlyText.Escape(yTitle) }, GridColor = Grid(dark), ZeroLine = false,
            Range = yRange?.Cast<object>().ToList() }],
        Legend = [new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, X = 0, Y = -0.3m, YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Top, BgColor = "rgba(0,0,0,0)" }],
        ShowLegend = true,
        Shapes = [],
        Annotations = [],
    };

    public static Scatter Line(string name, string color, IEnumerable<(long X, double Y)> points, double width = 3, double opacity = 1, bool markers = false) => new()
    {
        Name = PlotlyText.Escape(name),
        Mode = markers ? Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines | Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers : Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
        X = points.Select(p => (object)p.X).ToList(),
        Y = points.Select(p => (object)Math.Round(p.Y, Digits)).ToList(),
        Line = new Plotly.Blazor.Traces.ScatterLib.Line { Color = color, Width = (decimal)width },
        Marker = new Plotly.Blazor.Traces.ScatterLib.Marker { Size = 5, Color = color },
        Opacity = (decimal)opacity,
    };

    /// <summary>
    /// Task <paramref name="task"/>'s accuracy in an earlier run, drawn faintly behind the live curves (thin, dotted,
    /// translucent); one legend entry "previous: name" for all its tasks. The name is user text: shortened and escaped.
    /// </summary>
    public static Scatter Previous(string runName, int task, string taskLabel, IReadOnlyList<long> steps, IReadOnlyList<double> accuracy) => new()
    {
        Name = PlotlyText.Escape($"previous: {PlotlyText.Shorten(runName)}"),
        Meta = PlotlyText.Escape($"previous: {runName} · {taskLabel}"),
        HoverTemplate = "(%{x}, %{y})<extra>%{meta}</extra>",
        LegendGroup = "previous",
        ShowLegend = task == 0,
        Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
        X = steps.Select(s => (object)s).ToList(),
        Y = accuracy.Select(v => double.IsFinite(v) ? (object)Math.Round(v, Digits) : null!).ToList(), // a task not yet evaluated: a gap
        Line = new Plotly.Blazor.Traces.ScatterLib.Line { Color = DashboardTheme.TaskColor(task), Width = 1.5m, Dash = "dot" },
        Opacity = 0.45m,
    };

    /// <summary>Shades each task's training period in its colour; with labels, names it at the top ("training task 2: 5-9").</summary>
    public static void SetPeriods(Plotly.Blazor.Layout layout, LiveRunState state, bool labels)
    {
        layout.Shapes = state.Periods.Select(p => new Shape
        {
            Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Rect,
            XRef = "x", YRef = "paper",
            X0 = p.Start, X1 = p.End ?? Math.Max(state.Step, p.Start + 1), Y0 = 0, Y1 = 1,
            FillColor = DashboardTheme.TaskColor(p.Task), Opacity = 0.10m,
            Layer = Plotly.Blazor.LayoutLib.ShapeLib.LayerEnum.Below,
            Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Width = 0 },
        }).ToList();
        if (labels)
            layout.Annotations = state.Periods.Select(p => new Annotation
            {
                Text = PlotlyText.Escape($"training {state.TaskLabel(p.Task)}"),
                XRef = "x", YRef = "paper",
                X = p.Start + ((p.End ?? Math.Max(state.Step, p.Start + 1)) - p.Start) / 2.0, Y = 1.0m,
                YAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.YAnchorEnum.Bottom,
                ShowArrow = false,
                Font = new Plotly.Blazor.LayoutLib.AnnotationLib.Font { Color = DashboardTheme.TaskColor(p.Task), Size = 13 },
            }).ToList();
        var right = Math.Max(state.PlannedSteps, state.Step);
        if (right > 0) layout.XAxis[0].Range = [0, right];
    }

    public static HeatMap Matrix(LiveRunState state)
    {
        int n = state.TaskCount;
        var z = Enumerable.Range(0, n).Select(i => (object)Enumerable.Range(0, n)
            .Select(j => i < state.MatrixRows.Count && j < state.MatrixRows[i].Length ? (object)Math.Round(state.MatrixRows[i][j], 1) : null).ToArray()).ToList();
        return new HeatMap
        {
            Z = z,
            X = Enumerable.Range(1, n).Select(j => (object)$"T{j}").ToList(),
            Y = Enumerable.Range(1, n).Select(i => (object)$"after T{i}").ToList(),
            ZMin = 0, ZMax = 100,
            ColorScale = "Viridis",
            TextTemplate = "%{z:.1f}",
            HoverTemplate = "%{y}, test on %{x}: %{z:.1f}%<extra></extra>",
            ShowScale = false,
            XGap = 2, YGap = 2,
        };
    }

    public static Plotly.Blazor.Layout MatrixLayout(bool dark, int height)
    {
        var layout = Base(dark, height, "tested on", "");
        layout.ShowLegend = false;
        layout.Margin = new Margin { L = 72, R = 8, T = 8, B = 44 };
        layout.YAxis[0].AutoRange = Plotly.Blazor.LayoutLib.YAxisLib.AutoRangeEnum.Reversed;
        layout.XAxis[0].Side = Plotly.Blazor.LayoutLib.XAxisLib.SideEnum.Bottom;
        return layout;
    }

    /// <summary>Re-colours an existing layout's text and grids for light or dark mode.</summary>
    public static void Recolor(Plotly.Blazor.Layout layout, bool dark)
    {
        layout.Font.Color = Text(dark);
        foreach (var x in layout.XAxis) x.GridColor = Grid(dark);
        foreach (var y in layout.YAxis) y.GridColor = Grid(dark);
    }
}
