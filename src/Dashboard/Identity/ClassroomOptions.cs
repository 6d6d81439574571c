namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// Who may do what, from the "ContinualLearning" section (env: ContinualLearning__InstructorKey,
/// ContinualLearning__RateLimits__RunCreations …). No instructor key: personal mode, the single local user may do
/// everything and every run belongs to "local". A key: class mode, each browser (or API token) owns its runs.
/// </summary>
public sealed class ClassroomOptions
{
    /// <summary>The secret that makes whoever types it on /instructor an instructor; empty = personal mode.</summary>
    public string? InstructorKey { get; set; }
    /// <summary>Abuse limits, applied in class mode.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    public const int MinKeyLength = 8;

    public bool ClassMode => !string.IsNullOrEmpty(InstructorKey);

    /// <summary>A setting that makes no sense stops the server at start-up, naming the setting and the rule.</summary>
    public void Check()
    {
        if (ClassMode && InstructorKey!.Length < MinKeyLength)
            throw new InvalidOperationException($"Setting {Runs.DashboardOptions.Section}:InstructorKey must be at least {MinKeyLength} characters (or empty for personal mode).");
        RateLimits.Check();
    }
}

/// <summary>
/// ContinualLearning:RateLimits: how often one identity may act per window; one client address (a whole class
/// behind one router) gets <see cref="PerAddressFactor"/> times as much. Defaults a class never reaches by hand.
/// </summary>
public sealed class RateLimitOptions
{
    public int WindowSeconds { get; set; } = 60;
    /// <summary>POST /api/runs, POST /api/sweeps (a whole sweep counts once), hub Start, the designer's Train.</summary>
    public int RunCreations { get; set; } = 30;
    /// <summary>PUT /api/runs/{id}/name, PUT /api/me/name.</summary>
    public int Renames { get; set; } = 60;
    /// <summary>DELETE /api/runs/{id}, POST /api/runs/delete (one request, up to 1,000 ids, counts once), DELETE /api/sweeps/{id}.</summary>
    public int Deletes { get; set; } = 60;
    /// <summary>Tries of the instructor key on /instructor.</summary>
    public int InstructorSignIns { get; set; } = 5;
    public int PerAddressFactor { get; set; } = 10;

    public int PermitsFor(LimitedAction action) => action switch
    {
        LimitedAction.CreateRuns => RunCreations,
        LimitedAction.Rename => Renames,
        LimitedAction.Delete => Deletes,
        LimitedAction.InstructorSignIn => InstructorSignIns,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public void Check()
    {
        foreach (var (name, value) in new[] { (nameof(WindowSeconds), WindowSeconds), (nameof(RunCreations), RunCreations), (nameof(Renames), Renames),
                     (nameof(Deletes), Deletes), (nameof(InstructorSignIns), InstructorSignIns), (nameof(PerAddressFactor), PerAddressFactor) })
            if (value is < 1 or > 1_000_000)
                throw new InvalidOperationException($"Setting {Runs.DashboardOptions.Section}:RateLimits:{name} must be a whole number from 1 to 1000000 (got {value}).");
    }
}
