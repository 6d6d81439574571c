using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// Every page under the Content-Security-Policy in a real browser: the designer trains a short run and the live view
/// draws it, then history, compare (with a run whose name is HTML) and a sweep. No policy violation may be reported
/// and the charts must be drawn; the hostile name must be literal text in the legend, never a link.
/// </summary>
public sealed class SecurityBrowserTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    const string Hostile = "<a href=\"javascript:alert(1)\">x</a>";
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    const float Wait = 60_000; // ms, for what waits on training (this machine is shared)

    /// <summary>Records violations from the first script on: the event fires for blocked scripts, styles, sockets, frames.</summary>
    const string ViolationRecorder = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
        """;

    [BrowserFact]
    public async Task Every_page_works_under_the_policy_and_a_run_named_in_html_shows_as_text()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        await context.AddInitScriptAsync(ViolationRecorder);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var reported = new List<string>(); // the console's CSP reports and uncaught script errors, across navigations
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy")) lock (reported) reported.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (reported) reported.Add($"page error: {e}"); };
        var violations = new List<string>();
        async Task Collect() => violations.AddRange(await page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []"));

        // Designer → a short run trained and drawn live.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?iterationsPerTask=10&evalEvery=5&pace=0").ToString());
        await page.GetByTestId("train").ClickAsync();
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = Wait });
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=accuracy-chart]')?.data?.[0]?.x?.length >= 2");
        await Assertions.Expect(page.Locator("[data-testid=accuracy-chart] .main-svg").First).ToBeVisibleAsync(new() { Timeout = Wait });
        var trained = (await page.GetByTestId("live-run").GetAttributeAsync("data-run-id"))!;
        await Collect();

        // A second run, named in HTML and too long for a legend; and a small sweep.
        using var http = server.Http();
        var other = await Start(http, new { strategy = "replay", iterationsPerTask = 10, evalEvery = 5 });
        var sweep = await http.PostAsJsonAsync("/api/sweeps", new { config = new { strategy = "replay", iterationsPerTask = 6, evalEvery = 3 }, param = "replayRatio", values = new[] { 0.0, 1.0 }, seeds = 1 });
        var sweepId = (await sweep.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitFor(http, "/api/history", list => new[] { trained, other }.All(id => list.EnumerateArray().Any(r => r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() == "finished")));
        var longHostile = Hostile + " " + new string('w', 120);
        (await http.PutAsJsonAsync($"/api/runs/{other}/name", new { name = longHostile })).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/runs/{trained}/name", new { name = Hostile })).EnsureSuccessStatusCode();
        await WaitFor(http, $"/api/sweeps/{sweepId}", s => s.GetProperty("status").GetString() == "finished");

        await page.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
        await Assertions.Expect(page.Locator("[data-testid=history-page]")).Not.ToHaveAttributeAsync("data-run-count", "0", new() { Timeout = Wait });
        await Assertions.Expect(page.GetByText(Hostile, new() { Exact = true }).First).ToBeVisibleAsync(new() { Timeout = Wait }); // Blazor shows it as text
        await AssertNotWidened(page);
        await Collect();

        await page.GotoAsync(new Uri(server.BaseAddress, $"/compare?runs={trained},{other}").ToString());
        var overlay = page.Locator("[data-testid=accuracy-overlay]");
        var legend = overlay.Locator(".legendtext");
        await Assertions.Expect(legend).Not.ToHaveCountAsync(0);
        await Assertions.Expect(legend.Filter(new() { HasText = Hostile + " · T1" })).ToHaveCountAsync(1, new() { Timeout = Wait });
        await Assertions.Expect(overlay.Locator(".legend a")).ToHaveCountAsync(0); // Plotly made no link of it
        await Assertions.Expect(overlay.Locator("a[href^='javascript']")).ToHaveCountAsync(0);
        var shortened = await legend.Filter(new() { HasText = "w…" }).First.TextContentAsync();
        Assert.StartsWith(Hostile + " w", shortened);
        Assert.EndsWith("… · T1", shortened);
        Assert.True(shortened!.Length < longHostile.Length, shortened);
        // The trace keeps the whole name for its hover.
        var hoverName = await page.EvaluateAsync<string>("() => document.querySelector('[data-testid=accuracy-overlay] .js-plotly-plot, [data-testid=accuracy-overlay].js-plotly-plot').data.find(t => (t.meta || '').includes('wwww')).meta");
        Assert.Contains(new string('w', 120), hoverName);
        await Assertions.Expect(page.Locator("[data-testid=loss-overlay] .scatterlayer .trace")).ToHaveCountAsync(2, new() { Timeout = Wait });
        // Exports still work under the policy: Plotly's PNG (drawn through data: images) and the CSV link.
        var chartPng = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "PNG" }).First.ClickAsync());
        Assert.EndsWith(".png", chartPng.SuggestedFilename);
        var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        Assert.Contains("\"<a href=\"\"javascript:alert(1)\"\">x</a>\"", await File.ReadAllTextAsync((await csvDownload.PathAsync())!)); // quoted, quotes doubled
        var png = await page.ScreenshotAsync(new() { FullPage = true });
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "screenshots", "compare-under-csp.png"), png);
        await AssertNotWidened(page);
        await Collect();

        await page.GotoAsync(new Uri(server.BaseAddress, "/sweeps").ToString());
        await page.Locator("[data-testid=sweep-list]").GetByRole(AriaRole.Link, new() { Name = sweepId }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sweep-page]")).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("[data-testid=tradeoff-chart] .scatterlayer .trace")).ToHaveCountAsync(3, new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("[data-testid=band-chart] .scatterlayer .trace")).ToHaveCountAsync(6, new() { Timeout = Wait });
        await Collect();

        Assert.Empty(violations);
        lock (reported) Assert.Empty(reported);
    }

    static async Task AssertNotWidened(IPage page)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 1440, $"a long run name widened {page.Url} to {width} px");
    }

    static async Task<string> Start(HttpClient http, object config)
    {
        var response = await http.PostAsJsonAsync("/api/runs", config);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    static async Task WaitFor(HttpClient http, string path, Func<JsonElement, bool> done)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (!done(await http.GetFromJsonAsync<JsonElement>(path, limit.Token)))
            await Task.Delay(100, limit.Token); // poll interval while waiting on a condition
    }
}
