namespace ContinualLearning.Engine.Tasks;

/// <summary>Parses and prints class splits such as "0-4|5-9" or "0,1|2,3|4,5|6,7|8,9": tasks separated by '|'.</summary>
public static class TaskSplit
{
    public static int[][] Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new FormatException("the split is empty; write tasks separated by '|', e.g. 0-4|5-9");
        return text.Split('|').Select((task, i) => ParseTask(task, i)).ToArray();
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
                if (to < from) throw new FormatException($"task {index + 1}: range {part} runs backwards");
                classes.AddRange(Enumerable.Range(from, to - from + 1));
            }
            else throw new FormatException($"task {index + 1}: '{part}' is not a class or a range");
        }
        if (classes.Distinct().Count() != classes.Count) throw new FormatException($"task {index + 1} names a class twice");
        return classes.ToArray();
    }

    static int Number(string text, int index) =>
        int.TryParse(text, out var n) && n >= 0 ? n : throw new FormatException($"task {index + 1}: '{text}' is not a class number");
}
