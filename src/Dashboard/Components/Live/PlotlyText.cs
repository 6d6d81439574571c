namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>
/// Text for Plotly. Plotly renders a subset of HTML in trace names, hover labels, titles and annotations (&lt;b&gt;,
/// &lt;br&gt;, &lt;a href&gt;…), so user text (run names above all) is escaped into entities, which Plotly shows
/// literally. Long names are shortened for legends, so one long name cannot widen the chart; hovers show them whole.
/// Chart builders (Charts, CompareCharts, the sweep page) escape what they are given; callers pass plain text.
/// </summary>
public static class PlotlyText
{
    /// <summary>Characters of a name a legend shows (default names fit); longer ones end in an ellipsis.</summary>
    public const int LegendLength = 64;

    /// <summary>
    /// &amp;, &lt; and &gt; as entities: with no &lt; left, no tag can form, so quotes need nothing (Plotly would show
    /// &amp;quot; literally: it decodes only a few named entities).
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.AsSpan().IndexOfAny("&<>") < 0) return text;
        return text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }

    /// <summary>At most <paramref name="max"/> characters, the last an ellipsis when cut (never half a surrogate pair).</summary>
    public static string Shorten(string? text, int max = LegendLength)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= max) return text ?? "";
        int cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return text[..cut].TrimEnd() + "…";
    }
}
