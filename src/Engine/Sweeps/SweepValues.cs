using System.Globalization;

namespace ContinualLearning.Engine.Sweeps;

/// <summary>Parses sweep values as typed by people: a list "0,0.1,0.5" or an inclusive range "start:stop:step".</summary>
public static class SweepValues
{
    public static bool TryParse(string text, out double[] values, out string error)
    {
        values = [];
        error = "";
        text = text.Trim();
        if (text.Length == 0) { error = "give a list (0,0.1,0.5) or a range (start:stop:step)"; return false; }
        if (text.Contains(':'))
        {
            var parts = text.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            { error = "a range is start:stop:step, e.g. 0:1:0.25"; return false; }
            var (start, stop, step) = (Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));
            if (!(step > 0) || !double.IsFinite(start) || !double.IsFinite(stop) || stop < start)
            { error = "a range needs start ≤ stop and a step greater than 0"; return false; }
            long count = (long)Math.Floor((stop - start) / step + 1e-9) + 1;
            if (count > SweepValidator.MaxValues) { error = $"the range has {count} values; at most {SweepValidator.MaxValues}"; return false; }
            // Rounded so 0:1:0.1 gives 0.3, not 0.30000000000000004.
            values = Enumerable.Range(0, (int)count).Select(k => Math.Round(start + k * step, 12)).ToArray();
            return true;
        }
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var bad = items.FirstOrDefault(s => !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (bad is not null || items.Length == 0) { error = $"'{bad}' is not a number; give comma-separated numbers, e.g. 0,0.1,0.5"; return false; }
        values = items.Select(Parse).ToArray();
        return true;
    }

    static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
