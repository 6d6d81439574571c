using System.Globalization;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

public sealed class EndToEndTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    const string AccuracyPoints = "() => { const g = document.querySelector('[data-testid=accuracy-chart]'); return g && g.data ? g.data[0].x.length : 0; }";

    [BrowserFact]
    public async Task Set_the_replay_ratio_train_and_watch_the_accuracy_chart_grow_until_the_run_finishes()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress, "/?strategy=replay&pace=25").ToString());

        // The ratio slider: ten steps of 0.01 to the right of the seed's 0.10.
        var slider = page.Locator("[data-testid=replay-ratio] input[type=range]");
        await slider.FocusAsync();
        for (int i = 0; i < 10; i++) await slider.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByTestId("replay-ratio-value")).ToHaveTextAsync("0.20");
        Assert.Contains("replayRatio=0.2", page.Url);

        await page.GetByTestId("train").ClickAsync();
        await page.GetByTestId("live-run").WaitForAsync();
        Assert.Contains("run=", page.Url);

        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() >= 3");
        // On a loaded machine the chart's first draw can come after this view has played the whole run (25 steps/s):
        // so back to step 20, paused, where the chart holds exactly the evaluations up to there, then play it grow.
        var live = page.GetByTestId("live-run");
        var timeline = page.GetByTestId("timeline");
        await timeline.FocusAsync();
        await timeline.PressAsync("ArrowLeft"); // steps back and pauses
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "paused");
        await page.Locator("[data-testid=scrubber] input[type=range]").FillAsync("20");
        await Assertions.Expect(page.GetByTestId("view-step")).ToHaveTextAsync("20");
        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() === Number(document.querySelector('[data-testid=live-run]').dataset.evaluations)");
        var earlier = await page.EvaluateAsync<int>(AccuracyPoints);
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() > {earlier}");

        // Mid-run, late in task 2, where task 1 is being forgotten: the README's screenshot.
        await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=step]')?.textContent) >= 120");
        await SaveScreenshot(page);

        await page.Locator("[data-testid=pace] input[type=checkbox]").ClickAsync(); // full speed for the rest
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 }); // training: on a loaded machine this takes longer than the 5 s default
        await Assertions.Expect(page.GetByTestId("metric-forgetting")).Not.ToContainTextAsync("—");
        var runId = await page.GetByTestId("live-run").GetAttributeAsync("data-run-id");
        var run = server.Run(runId!);
        Assert.Equal(0.2, run.Config.ReplayRatio);
        await Assertions.Expect(page.GetByTestId("pace")).ToContainTextAsync("as fast as available"); // this viewer's pace, not the run's
        var evaluations = run.Events.Snapshot().Count(e => e.Kind == ContinualLearning.Engine.Events.RunEventKind.Evaluation);
        await page.WaitForFunctionAsync($"() => ({AccuracyPoints})() == {evaluations}");
    }

    [BrowserFact]
    public async Task Pnn_is_refused_outside_task_incremental_with_the_reason_and_trains_once_the_scenario_fits()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(server.BaseAddress,
            "/?strategy=pnn&model=mlp&hiddenSizes=64,64&tasks=0,1%7C2,3%7C4,5%7C6,7%7C8,9&optimizer=adam&learningRate=0.001&iterationsPerTask=30&evalEvery=10&pace=0").ToString());

        await Assertions.Expect(page.GetByText("only task-incremental provides at test time")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("train")).ToBeDisabledAsync();

        await page.GetByTestId("scenario").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "task-incremental" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("train")).ToBeEnabledAsync();
        await Assertions.Expect(page.GetByText("only task-incremental provides at test time")).ToHaveCountAsync(0);
        Assert.Contains("scenario=task-incremental", page.Url);

        await page.GetByTestId("train").ClickAsync();
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 }); // training: on a loaded machine this takes longer than the 5 s default
        await Assertions.Expect(page.GetByTestId("pnn-column")).ToHaveCountAsync(5);
        // The matrix and the task shading are redrawn on the next frame after the last event: wait for them, not for time.
        await page.WaitForFunctionAsync("""
            () => {
              const matrix = document.querySelector('.matrix-card .js-plotly-plot');
              const accuracy = document.querySelector('[data-testid=accuracy-chart]');
              return matrix?.data?.[0]?.z?.length === 5 && (accuracy?.layout?.shapes?.length ?? 0) === 5;
            }
            """);
        await SaveScreenshot(page, "designer-strategies.png", fullPage: true); // the whole page: the columns panel sits below the fold
    }

    /// <summary>Into the test output always; into docs/images for the README when UPDATE_SCREENSHOT=1.</summary>
    static async Task SaveScreenshot(IPage page, string name = "dashboard.png", bool fullPage = false)
    {
        var png = await page.ScreenshotAsync(new() { FullPage = fullPage });
        Directory.CreateDirectory(System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await File.WriteAllBytesAsync(System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots", name), png);
        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOT") == "1")
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "ContinualLearning.sln"))) root = root.Parent;
            if (root is null) throw new DirectoryNotFoundException("Repository root (ContinualLearning.sln) not found above the test output.");
            var target = System.IO.Path.Combine(root.FullName, "docs", "images", name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, png);
        }
    }
}
