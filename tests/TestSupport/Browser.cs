using Microsoft.Playwright;
using Xunit;

namespace ContinualLearning.Testing;

/// <summary>The one Chromium every browser test uses, and how it is launched.</summary>
public static class Browser
{
    /// <summary>Playwright's expect() default is 5 s; a page on a loaded two-core CI machine needs more.</summary>
    public const float ExpectTimeoutMs = 30_000;

    public static readonly string[] Candidates = [Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>The first Chromium found ($CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser); null when none.</summary>
    public static string? Path => Candidates.FirstOrDefault(p => p.Length > 0 && File.Exists(p));

    public const string MissingReason =
        "No Chromium found (looked for $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser): install chromium to run the browser tests.";

    /// <summary>Headless Chromium, offline-capable, with the longer expect() timeout set.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMs);
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = Path ?? throw new InvalidOperationException(MissingReason), Headless = true, Args = ["--no-sandbox"] });
    }
}

/// <summary>A fact that needs Chromium: skipped, with the reason shown, where none is installed (CI installs one).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Path is null) Skip = Browser.MissingReason;
    }
}

/// <summary>A theory that needs Chromium: skipped, with the reason shown, where none is installed.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (Browser.Path is null) Skip = Browser.MissingReason;
    }
}
