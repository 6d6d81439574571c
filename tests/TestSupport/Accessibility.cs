using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ContinualLearning.Testing;

/// <summary>axe-core in the browser tests: the violations that block a user (impact serious or critical), named.</summary>
public static class Accessibility
{
    static readonly string[] Blocking = ["serious", "critical"];

    /// <summary>Runs axe-core on the page as it is now and returns its serious and critical violations.</summary>
    public static async Task<AxeResultItem[]> BlockingViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations.Where(v => Blocking.Contains(v.Impact)).ToArray();
    }

    /// <summary>One line per violation: rule id, impact, what it means and the first few elements (CSS targets) it found.</summary>
    public static string Describe(IEnumerable<AxeResultItem> violations) => string.Join("\n", violations.Select(v =>
        $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(5).Select(n => $"{n.Target} {Shorten(n.Html)} {Shorten(n.Any?.FirstOrDefault()?.Message)}"))}"
        + (v.Nodes.Length > 5 ? $" … and {v.Nodes.Length - 5} more" : "")));

    static string Shorten(string? text) => text is null ? "" : (text.Length <= 200 ? text : text[..200] + "…").ReplaceLineEndings(" ");
}
