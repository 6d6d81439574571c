using System.Net.Http.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ContinualLearning.History.Tests;

/// <summary>
/// End to end in a real browser (/usr/bin/chromium, driven by Playwright, offline): two runs with different configs,
/// ticked on the history page, compared; both appear in the accuracy overlay and in the config-diff table.
/// </summary>
public class CompareBrowserTest
{

    [BrowserFact]
    public async Task TwoRunsComparedShowInTheOverlayAndTheDiffTable()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var naive = await Api.StartRun(http, new { seed = 3 });
        var replay = await Api.StartRun(http, new { strategy = "replay", replayRatio = 0.5, seed = 3 });
        foreach (var id in new[] { naive, replay }) await Api.WaitStored(http, id);
        var renamed = await http.PutAsync($"/api/runs/{naive}/name", System.Net.Http.Json.JsonContent.Create(new { name = "naive baseline" }));
        renamed.EnsureSuccessStatusCode();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 1300 } });
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
        await Assertions.Expect(page.Locator("[data-testid=history-page]")).ToHaveAttributeAsync("data-run-count", "2");
        foreach (var id in new[] { naive, replay })
        {
            var row = page.Locator("tr", new() { Has = page.Locator($"[data-testid=status-{id}]") });
            await row.Locator("input[type=checkbox]").CheckAsync(new() { Force = true });
        }
        var compare = page.Locator("[data-testid=compare-selected]");
        await Assertions.Expect(compare).ToContainTextAsync("Compare (2)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "history.png") });
        await compare.ClickAsync();

        // Blazor navigates in the page (no load event): wait for the address and the compare page instead.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/compare\\?runs="));
        await Assertions.Expect(page.Locator("[data-testid=compare-page]")).ToBeVisibleAsync();
        Assert.Contains(naive, page.Url);
        Assert.Contains(replay, page.Url);

        // Overlay: a legend entry per run and task (names as given), drawn by Plotly in the browser.
        var legend = page.Locator("[data-testid=accuracy-overlay] .legendtext");
        await Assertions.Expect(legend.Filter(new() { HasText = "naive baseline · T1" })).ToHaveCountAsync(1);
        await Assertions.Expect(legend.Filter(new() { HasText = "replay · replayRatio 0.5 · linear · seed 3 · T2" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=accuracy-overlay] .scatterlayer .trace")).ToHaveCountAsync(4);

        // Diff table: only the fields that differ, with each run's value.
        var diffRows = page.Locator("[data-testid=config-diff] tbody tr");
        await Assertions.Expect(diffRows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=config-diff] tr[data-field=strategy]")).ToContainTextAsync("naive");
        await Assertions.Expect(page.Locator("[data-testid=config-diff] tr[data-field=strategy]")).ToContainTextAsync("replay");
        await Assertions.Expect(page.Locator("[data-testid=config-diff] tr[data-field=replayRatio]")).ToContainTextAsync("0.5");
        await Assertions.Expect(page.Locator("[data-testid=config-diff] tr[data-field=replayRatio]")).ToContainTextAsync("—"); // naive: does not apply
        await Assertions.Expect(page.Locator("[data-testid=metrics-table] td.best")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=matrix] .main-svg").First).ToBeVisibleAsync();

        var shot = Path.Combine(AppContext.BaseDirectory, "compare.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        // Set CL_SCREENSHOT_DIR (e.g. docs/images) to refresh the README's screenshot.
        if (Environment.GetEnvironmentVariable("CL_SCREENSHOT_DIR") is { Length: > 0 } dir)
            File.Copy(shot, Path.Combine(dir, "compare.png"), overwrite: true);
    }

    /// <summary>Points of a Plotly trace in the browser (the chart's own data, as drawn).</summary>
    static Task<int> TracePoints(IPage page, string chart, int trace) => page.EvaluateAsync<int>(
        "([chart, trace]) => { const el = document.querySelector(`[data-testid=${chart}]`); " +
        "const gd = el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'); " +
        "return gd && gd.data && gd.data[trace] ? gd.data[trace].x.length : -1; }", new object[] { chart, trace });

    [BrowserFact]
    public async Task AComparedRunThatIsStillGoingUpdatesLive()
    {
        // One worker, busy with a long run: the compared run waits in the queue, certainly still going when the page opens,
        // whatever this machine's speed (training never waits for a pace; only the queue can hold a run back).
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:Concurrency"] = "1" });
        var http = server.CreateClient();
        var done = await Api.StartRun(http, new { seed = 3 });
        await Api.WaitStored(http, done);
        var blocker = await Api.StartRun(http, LongRun.Body);
        await Api.WaitForStatus(http, blocker, "running");
        var going = await Api.StartRun(http, new { strategy = "replay", seed = 3 });
        await Api.WaitForStatus(http, going, "queued");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 1300 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress, $"/compare?runs={done},{going}").ToString());

        var comparePage = page.Locator("[data-testid=compare-page]");
        await Assertions.Expect(comparePage).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(page.Locator("[data-testid=live-indicator]")).ToContainTextAsync("1 still running");
        await Assertions.Expect(page.Locator("[data-testid=run-chip]").Nth(1)).ToContainTextAsync("(queued)");
        await Assertions.Expect(page.Locator("[data-testid=matrix]").Nth(1)).ToContainTextAsync("No task finished.");
        var pointsWhileQueued = await TracePoints(page, "loss-overlay", 1);

        (await http.PostAsJsonAsync($"/api/runs/{blocker}/cancel", new { })).EnsureSuccessStatusCode();

        // Without a reload: the status, the curves, the matrix and the metrics follow the run to its end.
        await Assertions.Expect(page.Locator("[data-testid=run-chip]").Nth(1)).ToContainTextAsync("(finished)");
        await Assertions.Expect(comparePage).ToHaveAttributeAsync("data-live", "false");
        await Assertions.Expect(page.Locator("[data-testid=live-indicator]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=matrix]").Nth(1).Locator(".main-svg").First).ToBeVisibleAsync();
        var finalSteps = (await Api.Get(http, $"/api/runs/{going}/events")).EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "step");
        await page.WaitForFunctionAsync(
            "([n]) => { const el = document.querySelector('[data-testid=loss-overlay]'); const gd = el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'); return gd && gd.data && gd.data[1] && gd.data[1].x.length === n; }",
            new object[] { finalSteps });
        Assert.True(finalSteps > pointsWhileQueued, $"loss points: {pointsWhileQueued} while queued, {finalSteps} at the end");
        Assert.True(int.Parse((await comparePage.GetAttributeAsync("data-frames"))!) >= 1);
    }
}
