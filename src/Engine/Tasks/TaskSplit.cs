namespace ContinualLearning.Engine.Tasks;

/// <summary>Parses and prints class splits such as "0-4|5-9" or "0,1|2,3|4,5|6,7|8,9": tasks separated by '|'.</summary>
/// <remarks>
/// Bounds are checked before anything is expanded: a 23-byte "0-2147483647" must cost a short error, not a list of two
/// billion classes. No data set here has more than <see cref="MaxClass"/> + 1 classes, so no valid split is refused.
/// </remarks>
public static class TaskSplit
{
    /// <summary>The highest class number a split may name (the data sets have 10 classes).</summary>
    public const int MaxClass = 999;
    /// <summary>At most this many tasks (the validator's own limit is lower).</summary>
    public const int MaxTasks = 1000;
    /// <summary>At most this many characters: ten classes as single numbers take about twenty.</summary>
    public const int MaxLength = 2000;

    public static int[][] Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new FormatException("the split is empty; write tasks separated by '|', e.g. 0-4|5-9");
        if (text.Length > MaxLength) throw new FormatException($"the split is {text.Length} characters long; at most {MaxLength}");
        var tasks = text.Split('|');
        if (tasks.Length > MaxTasks) throw new FormatException($"the split has {tasks.Length} tasks; at most {MaxTasks}");
        return tasks.Select((task, i) => ParseTask(task, i)).ToArray();
    }

    public static bool TryParse(string text, out int[][] tasks, out string error)
    {
        try { tasks = Parse(text); error = ""; return true; }
        catch (FormatException e) { tasks = []; error = e.Message; return false; }
    }

    public static string Format(IEnumerable<IReadOnlyList<int>> tasks) => string.Join("|", tasks.Select(FormatTask));

    static string FormatTask(IReadOnlyList<int> classes)
    {
        var sorted = classes.Order().ToArray();
        bool contiguous = sorted.Length > 2 && sorted[^1] - sorted[0] == sorted.Length - 1 && sorted.SequenceEqual(classes);
        return contiguous ? $"{sorted[0]}-{sorted[^1]}" : string.Join(",", classes);
    }

    static int[] ParseTask(string task, int index)
    {
        var classes = new List<int>();
        foreach (var part in task.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new FormatException($"task {index + 1} is empty");
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length == 1) classes.Add(Number(range[0], index));
            else if (range.Length == 2)
            {
                int from = Number(range[0], index), to = Number(range[1], index);
                if (to < from) throw new FormatException($"task {index + 1}: range {Short(part)} runs backwards");
                classes.AddRange(Enumerable.Range(from, to - from + 1)); // at most MaxClass + 1: both ends are bounded
            }
            else throw new FormatException($"task {index + 1}: '{Short(part)}' is not a class or a range");
            if (classes.Count > MaxClass + 1) throw new FormatException($"task {index + 1} names more than {MaxClass + 1} classes");
        }
        if (classes.Distinct().Count() != classes.Count) throw new FormatException($"task {index + 1} names a class twice");
        return classes.ToArray();
    }

    static int Number(string text, int index)
    {
        if (!int.TryParse(text, out var n) || n < 0)
        {
            // A long run of digits is still a number, only too big: say which rule it breaks.
            if (text.Length > 0 && text.All(char.IsAsciiDigit)) throw new FormatException($"task {index + 1}: class {Short(text)} is too large; classes are numbered 0 to at most {MaxClass}");
            throw new FormatException($"task {index + 1}: '{Short(text)}' is not a class number");
        }
        if (n > MaxClass) throw new FormatException($"task {index + 1}: class {n} is too large; classes are numbered 0 to at most {MaxClass}");
        return n;
    }

    /// <summary>Quoted user text, cut short so an error never repeats a megabyte back.</summary>
    static string Short(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
