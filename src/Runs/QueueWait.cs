namespace ContinualLearning.Runs;

/// <summary>A waiting run's place and wait as people read them: "3rd in line, about 4 s".</summary>
public static class QueueWait
{
    /// <summary>1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.</summary>
    public static string Place(int position)
    {
        int lastTwo = position % 100, last = position % 10;
        var suffix = lastTwo is >= 11 and <= 13 ? "th" : last switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return $"{position}{suffix}";
    }

    /// <summary>"4 s", "2 min", "1.5 h"; at least 1 s (the estimate is rough, "0 s" would promise too much).</summary>
    public static string Duration(double seconds) =>
        seconds >= 5400 ? $"{seconds / 3600:0.#} h"
        : seconds >= 90 ? $"{Math.Round(seconds / 60, MidpointRounding.AwayFromZero):0} min"
        : $"{Math.Max(1, Math.Round(seconds, MidpointRounding.AwayFromZero)):0} s";
}
