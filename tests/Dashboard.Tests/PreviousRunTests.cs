using ContinualLearning.Dashboard.Components.Live;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The previous run drawn faintly behind a live one: which run it is, and the toggle on the live page.</summary>
public sealed class PreviousRunTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    static RunSummary Run(string id, string owner, int minutes, string tasks = "0-4|5-9", RunStatus status = RunStatus.Finished) => new()
    {
        Id = id, Owner = owner, CreatedAt = T0.AddMinutes(minutes), Status = status, Config = new RunConfig { Tasks = tasks },
    };

    [Fact]
    public void The_previous_run_is_the_owners_newest_earlier_run_on_the_same_split()
    {
        var runs = new[]
        {
            Run("old", "alice", 1), Run("mine", "alice", 2), Run("other-split", "alice", 3, tasks: "0-1|2-3|4-5|6-7|8-9"),
            Run("bobs", "bob", 4), Run("queued", "alice", 5, status: RunStatus.Queued), Run("current", "alice", 6), Run("later", "alice", 7),
        };
        Assert.Equal("mine", PreviousRun.Pick(runs, "current", "alice", T0.AddMinutes(6), new RunConfig())?.Id);
        Assert.Null(PreviousRun.Pick(runs, "bobs", "bob", T0.AddMinutes(4), new RunConfig())); // bob's first run
        Assert.Null(PreviousRun.Pick(runs, "other-split", "alice", T0.AddMinutes(3), new RunConfig { Tasks = "0-1|2-3|4-5|6-7|8-9" }));
    }

    const string Traces = "() => { const g = document.querySelector('[data-testid=accuracy-chart]'); return g && g.data ? g.data.map(t => t.name || '') : []; }";

    [BrowserFact]
    public async Task A_second_run_shows_the_first_faintly_behind_it_until_the_toggle_is_turned_off()
    {
        await using var server = DashboardServer.Start();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress, "/?strategy=naive&iterationsPerTask=30&evalEvery=5&pace=0").ToString());
        var live = page.GetByTestId("live-run");

        // Run A: the first on this split, so no overlay and no toggle.
        await page.GetByTestId("train").ClickAsync();
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 });
        var first = (await live.GetAttributeAsync("data-run-id"))!;
        await Assertions.Expect(page.GetByTestId("previous-run")).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync($"() => ({Traces})().length === 2");

        // Run B on the same split: A's two task curves behind B's, labelled with A's name.
        await page.GetByTestId("train").ClickAsync();
        await Assertions.Expect(live).Not.ToHaveAttributeAsync("data-run-id", first);
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 });
        var firstName = RunSummary.DefaultName(server.Run(first).Config); // the first of its config keeps the default name
        await page.WaitForFunctionAsync($"() => ({Traces})().filter(n => n === 'previous: ' + {System.Text.Json.JsonSerializer.Serialize(firstName)}).length === 2");
        var names = await page.EvaluateAsync<string[]>(Traces);
        Assert.False(names[0].StartsWith("previous"), "B's own curves come first");
        await Assertions.Expect(page.Locator("[data-testid=accuracy-chart] .legendtext", new() { HasText = "previous: " + firstName })).ToHaveCountAsync(1);

        // Off: only B's curves; on again: A's are back.
        await page.Locator("[data-testid=previous-run] input[type=checkbox]").ClickAsync();
        await page.WaitForFunctionAsync($"() => {{ const n = ({Traces})(); return n.length === 2 && !n.some(x => x.startsWith('previous')); }}");
        await page.Locator("[data-testid=previous-run] input[type=checkbox]").ClickAsync();
        await page.WaitForFunctionAsync($"() => ({Traces})().filter(n => n.startsWith('previous: ')).length === 2");
    }
}
