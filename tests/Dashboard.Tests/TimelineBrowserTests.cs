using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The timeline on a finished run served from the run database: scrub, step, and a second viewer unaffected.</summary>
public sealed class TimelineBrowserTests
{
    const string AccuracyPoints = "() => { const g = document.querySelector('[data-testid=accuracy-chart]'); return g && g.data && g.data[0] ? g.data[0].x.length : -1; }";

    [BrowserFact]
    public async Task Scrubbing_a_stored_run_shows_it_as_of_that_step_and_pausing_one_viewer_leaves_another_playing()
    {
        // Finished runs leave memory as soon as they are stored: the page must replay this one from the database.
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:FinishedRunsInMemory"] = "0" });
        using var http = server.Http();
        var created = await http.PostAsJsonAsync("/api/runs", new { strategy = "replay", replayRatio = 0.2, iterationsPerTask = 30, evalEvery = 5 });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await server.Run(id).Completion.WaitAsync(TimeSpan.FromMinutes(2));
        await Until(() => server.Services.GetRequiredService<IRunRegistry>().Find(id) is null, "the finished run to leave memory");
        var events = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{id}/events");
        int EventsUpTo(long k)
        {
            long step = 0;
            return events.EnumerateArray().Count(e => (step = e.TryGetProperty("step", out var s) ? s.GetInt64() : step) <= k);
        }
        int EvaluationsUpTo(long k) => events.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "evaluation" && e.GetProperty("step").GetInt64() <= k);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } })).NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress, $"/run/{id}").ToString());
        var live = page.GetByTestId("live-run");
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-last-step", "60");
        // Paused from the keyboard (Left steps back and pauses): a click could miss while the playing view reflows.
        await timeline.FocusAsync();
        await timeline.PressAsync("ArrowLeft");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "paused");
        await Assertions.Expect(page.GetByTestId("play")).ToBeVisibleAsync();

        // The scrubber to step 25: task 1 not finished yet, so no matrix row; curves up to 25.
        await page.Locator("[data-testid=scrubber] input[type=range]").FillAsync("25");
        await Assertions.Expect(page.GetByTestId("view-step")).ToHaveTextAsync("25");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-last-seq", EventsUpTo(25).ToString());
        await Assertions.Expect(page.GetByTestId("step")).ToHaveTextAsync("25");
        await Assertions.Expect(page.GetByTestId("metric-average")).ToContainTextAsync("—");
        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() === {EvaluationsUpTo(25)}");

        // Right arrow on the timeline, five times: step 30, where task 1 ends and its matrix row appears.
        await timeline.FocusAsync();
        for (int i = 0; i < 5; i++) await timeline.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByTestId("view-step")).ToHaveTextAsync("30");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-last-seq", EventsUpTo(30).ToString());
        await Assertions.Expect(page.GetByTestId("metric-average")).Not.ToContainTextAsync("—");

        // One step back: the row is gone again, and the curves are those of step 29.
        await page.GetByTestId("step-back").ClickAsync();
        await Assertions.Expect(page.GetByTestId("view-step")).ToHaveTextAsync("29");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-last-seq", EventsUpTo(29).ToString());
        await Assertions.Expect(page.GetByTestId("metric-average")).ToContainTextAsync("—");
        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() === {EvaluationsUpTo(29)}");

        // Another viewer of the same run plays it to the end while the first stays paused at step 29.
        var other = await (await browser.NewContextAsync()).NewPageAsync();
        await other.GotoAsync(new Uri(server.BaseAddress, $"/run/{id}").ToString());
        await Assertions.Expect(other.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished");
        await Assertions.Expect(page.GetByTestId("view-step")).ToHaveTextAsync("29");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "paused");
    }

    /// <summary>Waits for a condition, checking it a few times a second, up to a minute.</summary>
    static async Task Until(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            if (limit.IsCancellationRequested) throw new TimeoutException($"Waited a minute for {what}.");
            await Task.Delay(50); // poll interval while waiting on a condition
        }
    }
}
