using MudBlazor;

namespace ContinualLearning.Dashboard.Components.Layout;

/// <summary>The dashboard's look: system fonts (nothing fetched from the web), calm primary colour, readable sizes for a projector.</summary>
public static class DashboardTheme
{
    static readonly string[] Fonts = ["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    /// <summary>One colour per task, used by every chart and chip (Tableau 10: distinguishable, colour-blind aware).</summary>
    public static readonly string[] TaskColors =
        ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string TaskColor(int task) => TaskColors[task % TaskColors.Length];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3b5b92",
            Secondary = "#f28e2b",
            AppbarBackground = "#2f4a78",
            AppbarText = "#ffffff",
            Background = "#f4f6fa",
            Surface = "#ffffff",
            Success = "#2e7d32",
            Error = "#c62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8fb3ff",
            PrimaryContrastText = "#0b1220",
            Secondary = "#f6a55a",
            AppbarBackground = "#1b2233",
            AppbarText = "#e3e8f2",
            Background = "#11151f",
            Surface = "#1a2030",
            Success = "#66bb6a",
            Error = "#ef5350",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts, FontSize = "0.95rem" },
            H6 = new H6Typography { FontFamily = Fonts, FontWeight = "600" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
