using System.Globalization;
using System.Text;

namespace ContinualLearning.Storage.Export;

/// <summary>
/// The one CSV writer of every export (RFC 4180: CRLF lines, cells with a comma, quote or line break quoted, quotes
/// doubled). Text cells are guarded against formula injection: a cell a spreadsheet would run as a formula (starting
/// with =, +, -, @, tab or carriage return, e.g. a run named =HYPERLINK(...)) gets a leading apostrophe, so it shows
/// as the text it is. Numbers are written as numbers, negative ones included, since only text can carry a formula.
/// </summary>
public sealed class CsvWriter
{
    static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    static readonly char[] NeedsQuotes = [',', '"', '\n', '\r'];

    readonly StringBuilder text = new();
    bool rowStarted;

    /// <summary>User or free text (names, statuses, config values): guarded and quoted as needed.</summary>
    public CsvWriter Text(string? value) => Cell(TextCell(value));

    /// <summary>A number (invariant culture); empty when absent or not finite.</summary>
    public CsvWriter Number(double? value, string format = "0.####") =>
        Cell(value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "");

    public CsvWriter Row(IEnumerable<string?> texts)
    {
        foreach (var t in texts) Text(t);
        return EndRow();
    }

    public CsvWriter EndRow()
    {
        text.Append("\r\n");
        rowStarted = false;
        return this;
    }

    public override string ToString() => text.ToString();

    /// <summary>One text cell as it appears in the file: formula starts neutralised, then quoted if needed.</summary>
    public static string TextCell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value.IndexOfAny(FormulaStarts) == 0) value = "'" + value;
        return value.IndexOfAny(NeedsQuotes) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    CsvWriter Cell(string cell)
    {
        if (rowStarted) text.Append(',');
        text.Append(cell);
        rowStarted = true;
        return this;
    }
}
