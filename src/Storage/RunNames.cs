namespace ContinualLearning.Storage;

/// <summary>The rule for run names, checked once by the store and shown by REST and the history page.</summary>
public static class RunNames
{
    /// <summary>The field the errors are about, as REST and the UI name it.</summary>
    public const string Field = "name";
    public const int MaxLength = 200;

    /// <summary>
    /// The name of the <paramref name="ordinal"/>-th run of one config (2 and up): its default name numbered, so
    /// identical runs (a class pressing Train with the defaults) are told apart everywhere names are shown.
    /// </summary>
    public static string Numbered(string defaultName, long ordinal)
    {
        var suffix = $" ({ordinal})";
        return (defaultName.Length + suffix.Length <= MaxLength ? defaultName : defaultName[..(MaxLength - suffix.Length)]) + suffix;
    }

    /// <summary>What is wrong with a new name, or null when it is fine. Null itself is fine: it clears the name.</summary>
    public static string? Problem(string? name) => name switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(name) => "must not be empty (clear the name instead to go back to the default one)",
        _ when name.Trim().Length > MaxLength => $"must be at most {MaxLength} characters (got {name.Trim().Length})",
        _ when name.Any(char.IsControl) => "must not contain control characters such as line breaks",
        _ => null,
    };
}
