using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ContinualLearning.Engine.Training;

/// <summary>
/// The short text a user sees when a run fails: one sentence, at most MaxLength characters, with no file paths and no
/// native stack frames. The full exception goes to the server log (TrainingRun.FailureDetail).
/// </summary>
public static partial class FailureMessage
{
    public const int MaxLength = 500;

    public static string For(Exception e) => Sanitize(e switch
    {
        TrainingDivergedException => e.Message,
        OutOfMemoryException => "The run ran out of memory; try a smaller model, batch or data set.",
        ExternalException => $"The numeric library (libtorch) failed: {e.Message}",
        _ => e.Message,
    });

    /// <summary>First line only (libtorch appends "Exception raised from … at /path" and frame lists), paths cut to their file name, bounded.</summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "The run failed.";
        int raised = text.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (raised >= 0) text = text[..raised];
        var firstLine = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "The run failed.";
        var clean = Whitespace().Replace(PathLike().Replace(firstLine, m => m.Groups["file"].Value), " ").Trim();
        return clean.Length <= MaxLength ? clean : clean[..(MaxLength - 1)] + "…";
    }

    // A path or URL with at least one separator: /a/b/c.so, C:\x\y, ./data/file, https://host/f.gz → its last part.
    [GeneratedRegex(@"(?<![\w.])(?:[a-z][a-z0-9+.-]*:|[A-Za-z]:|\.{1,2})?(?:[\\/][^\s'""`()\[\]\\/:]*)*[\\/](?<file>[^\s'""`()\[\]\\/:]*)")]
    private static partial Regex PathLike();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
