using ContinualLearning.Dashboard.Components.History;
using ContinualLearning.Dashboard.Components.Live;

namespace ContinualLearning.Dashboard.Tests;

public sealed class PlotlyTextTests
{
    const string Hostile = "<a href=\"javascript:alert(1)\">x</a>";

    [Theory]
    [InlineData(Hostile, "&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;")]
    [InlineData("<b>bold</b><br>", "&lt;b&gt;bold&lt;/b&gt;&lt;br&gt;")]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("&lt;", "&amp;lt;")] // an entity typed by the user stays what was typed
    [InlineData("it's \"quoted\"", "it's \"quoted\"")]
    [InlineData("replay · ratio 0.1", "replay · ratio 0.1")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escape_turns_markup_into_entities_plotly_shows_literally(string? text, string expected) =>
        Assert.Equal(expected, PlotlyText.Escape(text));

    [Fact]
    public void Shorten_keeps_short_names_and_cuts_long_ones_with_an_ellipsis()
    {
        Assert.Equal("naive", PlotlyText.Shorten("naive"));
        var exact = new string('x', PlotlyText.LegendLength);
        Assert.Equal(exact, PlotlyText.Shorten(exact));
        var cut = PlotlyText.Shorten(new string('y', 500));
        Assert.Equal(PlotlyText.LegendLength, cut.Length);
        Assert.EndsWith("…", cut);
    }

    [Fact]
    public void Shorten_never_splits_a_surrogate_pair()
    {
        var emoji = new string('a', PlotlyText.LegendLength - 2) + "😀😀😀";
        var cut = PlotlyText.Shorten(emoji);
        Assert.False(char.IsHighSurrogate(cut[^2]));
        Assert.EndsWith("…", cut);
    }

    [Fact]
    public void A_compare_line_shows_the_name_escaped_in_the_legend_and_whole_in_the_hover()
    {
        var longHostile = Hostile + new string('z', 200);
        var line = CompareCharts.Line(PlotlyText.Shorten(longHostile), "#000000", [1, 2], [0.5, 0.6], fullName: longHostile);
        Assert.DoesNotContain("<", line.Name);
        Assert.StartsWith("&lt;a href=", line.Name);
        Assert.Equal(PlotlyText.Escape(longHostile), line.Meta);
        Assert.Contains("%{meta}", line.HoverTemplate);
        Assert.Equal(-1, line.HoverLabel.NameLength);
    }

    [Fact]
    public void Axis_titles_and_live_lines_are_escaped()
    {
        var layout = Charts.Base(dark: false, 300, "<i>x</i>", "y & z");
        Assert.Equal("&lt;i&gt;x&lt;/i&gt;", layout.XAxis[0].Title.Text);
        Assert.Equal("y &amp; z", layout.YAxis[0].Title.Text);
        Assert.Equal("&lt;b&gt;T1&lt;/b&gt;", Charts.Line("<b>T1</b>", "#000", [(1L, 1.0)]).Name);
    }
}
