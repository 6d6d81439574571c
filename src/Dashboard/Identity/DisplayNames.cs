using System.Collections.Concurrent;
using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// The names visitors give themselves, by visitor id, shown beside their runs on History's "Class" tab and the board.
/// A small JSON file in the data folder (display-names.json), rewritten whole on each change (atomically: a temporary
/// file, then a rename); a file that cannot be read is logged and replaced.
/// </summary>
public sealed class DisplayNames
{
    public const string Field = "displayName";
    public const int MaxLength = 40;
    /// <summary>Names kept at most (the file stays small); beyond this, new names are refused.</summary>
    public const int MaxEntries = 100_000;

    readonly ConcurrentDictionary<string, string> names;
    readonly string path;
    readonly ILogger<DisplayNames> logger;
    readonly Lock writing = new();

    public DisplayNames(IOptions<DashboardOptions> options, ILogger<DisplayNames> logger)
    {
        this.logger = logger;
        path = Path.Combine(options.Value.ResolvedDataFolder(), "display-names.json");
        names = new(Read());
    }

    /// <summary>What is wrong with a display name, or null when it is fine (null clears it).</summary>
    public static string? Problem(string? name) => name switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(name) => "must not be empty (clear it instead)",
        _ when name.Trim().Length > MaxLength => $"must be at most {MaxLength} characters (got {Math.Min(name.Trim().Length, 100_000)})",
        _ when name.Any(char.IsControl) => "must not contain control characters such as line breaks",
        _ => null,
    };

    public string? Of(string visitorId) => names.GetValueOrDefault(visitorId);

    /// <summary>The name to show for a run's owner: the chosen name, else a short stand-in made from the id.</summary>
    public string Show(string owner) => owner == TrainingRun.LocalOwner ? "local" : Of(owner) ?? "anonymous " + owner[..Math.Min(6, owner.Length)];

    /// <summary>Sets (or with null clears) a visitor's name; returns the problem when the name is refused.</summary>
    public string? Set(string visitorId, string? name)
    {
        if (Problem(name) is { } problem) return problem;
        lock (writing)
        {
            if (name is null) names.TryRemove(visitorId, out _);
            else if (names.Count >= MaxEntries && !names.ContainsKey(visitorId)) return "cannot be kept: the server holds too many names";
            else names[visitorId] = name.Trim();
            Write();
        }
        return null;
    }

    Dictionary<string, string> Read()
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [] : [];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Display names could not be read from {Path}; starting without them", path);
            return [];
        }
    }

    void Write()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(names));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The name still shows until the server restarts.
            logger.LogWarning(e, "Display names could not be written to {Path}", path);
        }
    }
}
