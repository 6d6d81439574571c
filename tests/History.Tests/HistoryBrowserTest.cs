using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ContinualLearning.History.Tests;

/// <summary>The history grid in a real browser: rename a run in place, filter by the search box, delete ticked runs.</summary>
public class HistoryBrowserTest
{

    [BrowserFact]
    public async Task RenameSearchAndDeleteFromTheGrid()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var keep = await Api.StartRun(http, new { strategy = "replay", replayRatio = 0.2 });
        var drop = await Api.StartRun(http, new { seed = 4 });
        foreach (var id in new[] { keep, drop }) await Api.WaitStored(http, id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
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

        // A blank name is refused with a message naming the field; the stored name stays.
        await page.Locator($"[data-testid=rename-{keep}]").ClickAsync();
        await input.FillAsync("   ");
        await input.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Name must not be empty");
        await Assertions.Expect(page.Locator($"[data-testid=name-{keep}]")).ToHaveTextAsync("my replay run");
        var stored = await Api.Get(http, $"/api/history");
        Assert.Contains(stored.EnumerateArray(), r => r.GetProperty("id").GetString() == keep && r.GetProperty("name").GetString() == "my replay run");

        // Sorting by a column's header, and back to newest first with Unsort (shown only while sorted).
        var rows = page.Locator("[data-testid=history-grid] tbody tr");
        await Assertions.Expect(rows.First).ToContainTextAsync("seed 4"); // newest first
        await page.Locator("th .sortable-column-header", new() { HasText = "Seed" }).ClickAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("my replay run"); // seed 0 first
        await page.Locator("[data-testid=unsort]").ClickAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("seed 4");
        await Assertions.Expect(page.Locator("[data-testid=unsort]")).ToHaveCountAsync(0);

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

    [BrowserFact]
    public async Task BulkDeleteAndRenameWorkWithAThousandRuns()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var store = server.Services.GetRequiredService<ContinualLearning.Dashboard.History.RunHistory>().Store;
        var t0 = DateTimeOffset.UtcNow;
        var data = new DataSetInfo("mnist-10k", 8000, 2000, true);
        for (int i = 0; i < 1000; i++)
        {
            var id = $"run{i:D4}";
            var config = new RunConfig { Seed = i };
            store.AddRun(id, config, t0.AddMilliseconds(i));
            store.AppendEvents(id, [
                new RunEvent { RunId = id, Seq = 1, Kind = RunEventKind.Started, Time = t0 },
                new RunEvent { RunId = id, Seq = 2, Kind = RunEventKind.Finished, Time = t0, Result = RunResult.From(config, [[90, 0], [10, 80]], 100, data) },
            ]);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
        var grid = page.Locator("[data-testid=history-page]");
        await Assertions.Expect(grid).ToHaveAttributeAsync("data-run-count", "1000");

        // Rename the newest run (first row).
        await page.Locator("[data-testid=rename-run0999]").ClickAsync();
        var input = page.Locator("input[data-testid=name-input-run0999], [data-testid=name-input-run0999] input");
        await input.FillAsync("newest");
        await input.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid=name-run0999]")).ToHaveTextAsync("newest");
        Assert.Equal("newest", store.GetSummary("run0999")!.Name);

        // Select all (the header box), delete, confirm: every run goes, from the grid and the database.
        await page.Locator("thead input[type=checkbox]").CheckAsync(new() { Force = true });
        await Assertions.Expect(page.Locator("[data-testid=compare-selected]")).ToContainTextAsync("Compare (1000)");
        await page.Locator("[data-testid=delete-selected]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToContainTextAsync("Delete 1000 run(s)");
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(grid).ToHaveAttributeAsync("data-run-count", "0");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Deleted 1000 run(s)");
        Assert.Empty(store.ListRuns());
    }
}

/// <summary>Issue 9 §4: the grid re-reads the runs every 2 s while one is going; a name being typed must survive it.</summary>
public class HistoryRenameWhileTrainingTest
{
    [BrowserFact]
    public async Task TypedNameSurvivesTheRefreshWhileARunTrains()
    {
        await using var server = new DashboardServer();
        var http = server.CreateClient();
        var finished = await Api.StartRun(http, new { iterationsPerTask = 6, evalEvery = 3 });
        await Api.WaitStored(http, finished);
        var going = await Api.StartRun(http, new { iterationsPerTask = 20_000, evalEvery = 1_000 }); // longer than the test; cancelled below
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await Browser.LaunchAsync(playwright);
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
            var grid = page.Locator("[data-testid=history-page]");
            await Assertions.Expect(grid).ToHaveAttributeAsync("data-run-count", "2");

            await page.Locator($"[data-testid=rename-{finished}]").ClickAsync();
            var input = page.Locator($"input[data-testid=name-input-{finished}], [data-testid=name-input-{finished}] input");
            await input.FillAsync("typed while training");
            // Two refreshes of the page pass while the field is open (counted by the page, not timed here).
            int before = int.Parse((await grid.GetAttributeAsync("data-refreshes"))!);
            await page.WaitForFunctionAsync("n => +document.querySelector('[data-testid=history-page]').dataset.refreshes >= n", before + 2);
            await Assertions.Expect(input).ToHaveValueAsync("typed while training");
            await input.PressAsync("Enter");
            await Assertions.Expect(page.Locator($"[data-testid=name-{finished}]")).ToHaveTextAsync("typed while training");
        }
        finally
        {
            await server.Services.GetRequiredService<ContinualLearning.Runs.IRunQueue>().CancelAsync(server.Run(going)); // the long run ends with the test
        }
        await server.Run(going).Completion.WaitAsync(TimeSpan.FromMinutes(2));
    }
}
