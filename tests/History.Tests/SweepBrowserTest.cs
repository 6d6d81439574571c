using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ContinualLearning.History.Tests;

/// <summary>The sweep view in a real browser: the trade-off curve with error bars, the mean ± std table, the bands.</summary>
public class SweepBrowserTest
{

    [BrowserFact]
    public async Task SweepPageShowsTheTradeOffCurveAndMeanPlusMinusStdPerValue()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var response = await http.PostAsJsonAsync("/api/sweeps", new { config = new { strategy = "replay" }, param = "replayRatio", values = new[] { 0.0, 1.0 }, seeds = 2 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Api.WaitFor(http, $"/api/sweeps/{id}", s => s.GetProperty("status").GetString() == "finished");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 1100 } });
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync(new Uri(server.BaseAddress, "/sweeps").ToString());
        await page.Locator("[data-testid=sweep-list]").GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sweep-page]")).ToHaveAttributeAsync("data-status", "finished");

        // Two tasks and the average, each a line over the two values with error bars.
        await Assertions.Expect(page.Locator("[data-testid=tradeoff-chart] .scatterlayer .trace")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=tradeoff-chart] .errorbar")).Not.ToHaveCountAsync(0);
        var rows = page.Locator("[data-testid=sweep-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.First).ToContainTextAsync("±");
        // Bands: per task an upper edge, a filled lower edge and the mean line.
        await Assertions.Expect(page.Locator("[data-testid=band-chart] .scatterlayer .trace")).ToHaveCountAsync(6);
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "sweep.png"), FullPage = true });
    }
}
