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
            // Darker than MudBlazor's defaults so white chip text and coloured text both reach 4.5:1 (axe color-contrast).
            Info = "#1565c0",
            Warning = "#a15c00",
            TextSecondary = "#4a5262",
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
            Info = "#64b5f6",
            Warning = "#ffb74d",
            // Light colours carry dark text in the dark theme (white on them is below 4.5:1).
            SecondaryContrastText = "#0b1220",
            SuccessContrastText = "#0b1220",
            ErrorContrastText = "#0b1220",
            InfoContrastText = "#0b1220",
            WarningContrastText = "#0b1220",
            TextSecondary = "#b4bccb",
            // MudBlazor's dark stripes and hover (20% white) leave coloured status text below 4.5:1.
            TableStriped = "rgba(255, 255, 255, 0.04)",
            TableHover = "rgba(255, 255, 255, 0.08)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts, FontSize = "0.95rem" },
            H6 = new H6Typography { FontFamily = Fonts, FontWeight = "600" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
