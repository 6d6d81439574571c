using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ContinualLearning.History.Tests;

/// <summary>The history grid in a real browser: rename a run in place, filter by the search box, delete ticked runs.</summary>
public class HistoryBrowserTest(ITestOutputHelper output)
{
    const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task RenameSearchAndDeleteFromTheGrid()
    {
        if (!File.Exists(Chromium))
        {
            output.WriteLine($"SKIPPED: no browser at {Chromium} (CI installs the chromium package)");
            return;
        }
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var keep = await Api.StartRun(http, new { strategy = "replay", replayRatio = 0.2 });
        var drop = await Api.StartRun(http, new { seed = 4 });
        foreach (var id in new[] { keep, drop }) await Api.WaitStored(http, id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
        await Assertions.Expect(page.Locator("[data-testid=history-page]")).ToHaveAttributeAsync("data-run-count", "2");

        // Rename in place: the new name is shown and stored.
        await page.Locator($"[data-testid=rename-{keep}]").ClickAsync();
        var input = page.Locator($"input[data-testid=name-input-{keep}], [data-testid=name-input-{keep}] input");
        await input.FillAsync("my replay run");
        await input.PressAsync("Enter");
        await Assertions.Expect(page.Locator($"[data-testid=name-{keep}]")).ToHaveTextAsync("my replay run");
        var stored = await Api.Get(http, $"/api/history");
        Assert.Contains(stored.EnumerateArray(), r => r.GetProperty("id").GetString() == keep && r.GetProperty("name").GetString() == "my replay run");

        // The search box filters rows.
        await page.GetByPlaceholder("Search name, strategy, model…").FillAsync("naive");
        await Assertions.Expect(page.Locator($"[data-testid=status-{keep}]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"[data-testid=status-{drop}]")).ToHaveCountAsync(1);

        // Tick, delete, confirm: the run leaves the grid and the database.
        await page.Locator("tr", new() { Has = page.Locator($"[data-testid=status-{drop}]") }).Locator("input[type=checkbox]").CheckAsync(new() { Force = true });
        await page.Locator("[data-testid=delete-selected]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-page]")).ToHaveAttributeAsync("data-run-count", "1");
        Assert.Equal([keep], (await Api.Get(http, "/api/history")).EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }
}
