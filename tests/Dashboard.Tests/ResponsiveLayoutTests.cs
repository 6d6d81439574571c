using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The three screens of a lecture: a projector (1920x1080), a laptop (1280x720) and a phone (390x844).</summary>
public sealed class ResponsiveLayoutTests(SeededDashboard server) : IClassFixture<SeededDashboard>
{
    const string PageOverflow = "() => document.scrollingElement.scrollWidth - window.innerWidth";

    [BrowserFact]
    public async Task On_a_projector_text_is_larger_and_the_accuracy_chart_fills_the_window()
    {
        var page = await server.NewPageAsync(1920, 1080);
        await page.GotoAsync(server.Url("/?run={run}"));
        await page.Locator("[data-testid=accuracy-chart] .main-svg").First.WaitForAsync();
        Assert.Equal("18px", await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).fontSize"));

        var chart = page.GetByTestId("accuracy-chart");
        var before = await chart.BoundingBoxAsync();
        await page.GetByTestId("enlarge-accuracy").ClickAsync();
        await Assertions.Expect(page.GetByTestId("enlarge-accuracy")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=accuracy-chart]').getBoundingClientRect().height > 0.75 * window.innerHeight");
        var enlarged = await chart.BoundingBoxAsync();
        Assert.True(enlarged!.Width > 0.9 * 1920 && enlarged.Width > before!.Width, $"width {before!.Width} -> {enlarged.Width}");

        await page.GetByTestId("enlarge-accuracy").PressAsync("Escape");
        await Assertions.Expect(page.GetByTestId("enlarge-accuracy")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=accuracy-chart]').getBoundingClientRect().height < {before.Height + 2}");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task On_a_laptop_Train_is_above_the_fold_and_the_status_bar_and_metric_cards_fit()
    {
        var page = await server.NewPageAsync(1280, 720);
        await page.GotoAsync(server.Url("/"));
        var train = await page.GetByTestId("train").BoundingBoxAsync();
        Assert.True(train!.Y + train.Height <= 720, $"Train ends at {train.Y + train.Height}px of 720");

        // A run that is going: the status bar holds the chip, progress, pace, Pause and Cancel on one row. Cancel shows while
        // the run computes, and runs train at full speed: long enough (seconds) to still compute when the page is in.
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", new { iterationsPerTask = 10_000, pace = 1 }, EngineJson.Options);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        try
        {
            await page.GotoAsync(server.Url($"/?run={id}"));
            await page.GetByTestId("cancel").WaitForAsync();
            // One row: some horizontal line crosses every item (the lowest top is above the highest bottom).
            var oneRow = await page.EvaluateAsync<JsonElement>("""
                () => { const boxes = [...document.querySelector('.status-bar > div').children]
                            .map(c => c.getBoundingClientRect()).filter(b => b.width > 0 && b.height > 0); // not the spacer
                        return { tops: Math.max(...boxes.map(b => b.top)), bottoms: Math.min(...boxes.map(b => b.bottom)), items: boxes.length }; }
                """);
            Assert.True(oneRow.GetProperty("tops").GetDouble() < oneRow.GetProperty("bottoms").GetDouble(), $"the status bar wraps: {oneRow}");
            Assert.True(await page.EvaluateAsync<int>(PageOverflow) <= 0, "the page scrolls sideways");
        }
        finally
        {
            await http.PostAsync($"/api/runs/{id}/cancel", null);
        }

        await page.GotoAsync(server.Url("/?run={run}"));
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished");
        await Assertions.Expect(page.GetByTestId("metric-forgetting")).Not.ToContainTextAsync("—");
        var clipped = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.metric-card, .metric-card *')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0).map(e => e.className + ': ' + e.textContent)
            """);
        Assert.Empty(clipped);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task On_a_phone_the_pages_are_reached_through_the_menu_and_history_scrolls_inside_its_grid()
    {
        var page = await server.NewPageAsync(390, 844);
        await page.GotoAsync(server.Url("/"));
        await page.GetByTestId("train").WaitForAsync();
        Assert.True(await page.EvaluateAsync<int>(PageOverflow) <= 0, "the designer scrolls sideways");
        await Assertions.Expect(page.GetByTestId("nav-history")).ToBeHiddenAsync();
        var menu = page.GetByTestId("nav-menu");
        await Assertions.Expect(menu).ToBeInViewportAsync();

        await menu.Locator("button").First.ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "History" }).ClickAsync();
        await page.WaitForURLAsync("**/history");
        await page.Locator("[data-testid=history-grid] tbody tr").First.WaitForAsync();

        Assert.True(await page.EvaluateAsync<int>(PageOverflow) <= 0, "History scrolls the page sideways");
        var table = await page.EvaluateAsync<JsonElement>("""
            () => { const c = document.querySelector('[data-testid=history-grid] .mud-table-container');
                    const t = c.querySelector('table');
                    return { overflow: getComputedStyle(c).overflowX, scroll: c.scrollWidth, client: c.clientWidth, table: t.getBoundingClientRect().width,
                             chain: [c, c.parentElement, c.parentElement.parentElement].map(e => e.className + ' ' + e.clientWidth + '/' + e.scrollWidth + ' ' + getComputedStyle(e).overflowX).join(' > ') }; }
            """);
        Assert.Contains(table.GetProperty("overflow").GetString(), new[] { "auto", "scroll" });
        Assert.True(table.GetProperty("scroll").GetInt32() > table.GetProperty("client").GetInt32(), $"the grid's columns scroll inside it, none cut off: {table}");
        await page.Context.CloseAsync();
    }
}
