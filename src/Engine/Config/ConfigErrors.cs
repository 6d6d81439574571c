namespace ContinualLearning.Engine.Config;

/// <summary>
/// Keeps what a user gets back small whatever they sent: a few offending values then "and N more", each message cut
/// to <see cref="MaxMessageLength"/> characters and at most <see cref="MaxErrors"/> errors per answer.
/// </summary>
public static class ConfigErrors
{
    public const int MaxMessageLength = 300;
    public const int MaxFieldLength = 80;
    public const int MaxErrors = 20;
    public const int MaxListed = 5;

    /// <summary>"3, 4, 5, 6, 7 and 95 more": at most <paramref name="max"/> values, then how many were left out.</summary>
    public static string Few<T>(IEnumerable<T> values, int max = MaxListed)
    {
        var shown = new List<string>(max);
        int total = 0;
        foreach (var v in values)
        {
            if (total++ < max) shown.Add(Cut(v?.ToString() ?? "null", 40));
        }
        return string.Join(", ", shown) + (total > max ? $" and {total - max} more" : "");
    }

    /// <summary>The text cut to <paramref name="max"/> characters, with an ellipsis when something was left out.</summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>At most MaxErrors errors; the last one then says how many more there were.</summary>
    public static IReadOnlyList<ConfigError> Bounded(IReadOnlyList<ConfigError> errors) =>
        errors.Count <= MaxErrors ? errors
            : [.. errors.Take(MaxErrors - 1), new ConfigError(errors[MaxErrors - 1].Field, $"and {errors.Count - MaxErrors + 1} more problems not shown")];
}
