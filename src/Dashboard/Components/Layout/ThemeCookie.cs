namespace ContinualLearning.Dashboard.Components.Layout;

/// <summary>The theme a browser chose (wwwroot/dashboard.js writes it), read when the page is served so it paints dark from the start.</summary>
public static class ThemeCookie
{
    public const string Name = "theme";

    public static bool IsDark(HttpContext? context) => context?.Request.Cookies[Name] == "dark";
}
