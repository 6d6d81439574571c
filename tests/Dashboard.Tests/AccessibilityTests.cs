using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Engine;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// A server holding one finished run and one finished sweep, and one Chromium, shared by the accessibility and layout
/// tests: every page has something real to show.
/// </summary>
public sealed class SeededDashboard : DashboardServer, IAsyncLifetime
{
    public string RunId { get; private set; } = "";
    public string SweepId { get; private set; } = "";
    /// <summary>A class experiment (personal mode: the local user runs the class) with one finished run on its curve.</summary>
    public string ExperimentId { get; private set; } = "";
    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Short runs at full speed: the pages need finished runs, not long ones.</summary>
    static readonly object QuickConfig = new { strategy = "replay", replayRatio = 0.2, iterationsPerTask = 20, evalEvery = 5, pace = 0 };

    public async Task InitializeAsync()
    {
        using var http = Http();
        var run = await http.PostAsJsonAsync("/api/runs", QuickConfig, EngineJson.Options);
        run.EnsureSuccessStatusCode();
        RunId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var sweep = await http.PostAsJsonAsync("/api/sweeps", new { config = QuickConfig, param = "replayRatio", values = new[] { 0.0, 0.5 }, seeds = 1 }, EngineJson.Options);
        sweep.EnsureSuccessStatusCode();
        SweepId = (await sweep.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var experiment = await http.PostAsJsonAsync("/api/class/experiments", new { config = QuickConfig, min = 0, max = 0.5, step = 0.5 }, EngineJson.Options);
        experiment.EnsureSuccessStatusCode();
        ExperimentId = (await experiment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await http.PostAsJsonAsync($"/api/class/experiments/{ExperimentId}/runs", new { value = 0.5 }, EngineJson.Options)).EnsureSuccessStatusCode();
        await WaitFor(http, $"/api/sweeps/{SweepId}", s => s.GetProperty("status").GetString() == "finished");
        await WaitFor(http, $"/api/class/experiments/{ExperimentId}", e => e.GetProperty("finished").GetInt32() == 1);
        await WaitFor(http, "/api/history", list => list.EnumerateArray().Any(r => r.GetProperty("id").GetString() == RunId && r.GetProperty("status").GetString() == "finished"));

        if (ContinualLearning.Testing.Browser.Path is not null)
        {
            playwright = await Playwright.CreateAsync();
            Browser = await ContinualLearning.Testing.Browser.LaunchAsync(playwright);
        }
    }

    static async Task WaitFor(HttpClient http, string path, Func<JsonElement, bool> done)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!done(await http.GetFromJsonAsync<JsonElement>(path, limit.Token)))
            await Task.Delay(100, limit.Token); // poll interval while waiting on a condition
    }

    /// <summary>A fresh browser context (its own cookies) at the given viewport, in the given theme.</summary>
    public async Task<IPage> NewPageAsync(int width = 1440, int height = 900, bool dark = false, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, JavaScriptEnabled = javaScript });
        if (dark) await context.AddCookiesAsync([new() { Name = "theme", Value = "dark", Url = BaseAddress.ToString() }]);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>A page's address with {run}, {sweep} and {experiment} filled in.</summary>
    public string Url(string path) => new Uri(BaseAddress, path.Replace("{run}", RunId).Replace("{sweep}", SweepId).Replace("{experiment}", ExperimentId)).ToString();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}

/// <summary>Every page under axe-core, in the light and the dark theme: no serious or critical violation.</summary>
public sealed class AccessibilityTests(SeededDashboard server) : IClassFixture<SeededDashboard>
{
    /// <summary>Each page and the element that shows it has loaded its content.</summary>
    public static TheoryData<string, string, bool> Pages()
    {
        var data = new TheoryData<string, string, bool>();
        (string Path, string Ready)[] pages =
        [
            ("/", "[data-testid=train]"),
            ("/?run={run}", "[data-testid=live-run][data-status=finished] [data-testid=accuracy-chart] .scatterlayer .trace"),
            ("/history", "[data-testid=history-grid] tbody tr"),
            ("/compare?runs={run}", "[data-testid=accuracy-overlay] .scatterlayer .trace"),
            ("/sweeps", "[data-testid=sweep-list] a"),
            ("/sweeps/{sweep}", "[data-testid=sweep-page][data-status=finished] [data-testid=tradeoff-chart] .scatterlayer .trace"),
            ("/run/{run}", "[data-testid=live-run][data-status=finished] [data-testid=accuracy-chart] .scatterlayer .trace"),
            ("/instructor", "[data-testid=instructor-page]"),
            ("/class", "[data-testid=experiment-curve][data-points='1'] [data-testid=experiment-chart] .scatterlayer .trace"),
            ("/class/{experiment}", "[data-testid=join-page] [data-testid=fixed-config]"),
            ("/class/publish?strategy=replay", "[data-testid=publish-form]"),
        ];
        foreach (var (path, ready) in pages)
            foreach (var dark in new[] { false, true })
                data.Add(path, ready, dark);
        return data;
    }

    [BrowserTheory]
    [MemberData(nameof(Pages))]
    public async Task Page_has_no_serious_or_critical_axe_violations(string path, string ready, bool dark)
    {
        var page = await server.NewPageAsync(dark: dark);
        await page.GotoAsync(server.Url(path));
        await page.Locator(ready).First.WaitForAsync();
        await Assertions.Expect(page.Locator(".mud-theme-provider, body")).Not.ToHaveCountAsync(0);
        if (dark) await Assertions.Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "true");

        var violations = await Accessibility.BlockingViolationsAsync(page);
        Assert.True(violations.Length == 0, $"{path} ({(dark ? "dark" : "light")}):\n{Accessibility.Describe(violations)}");
        await page.Context.CloseAsync();
    }
}

/// <summary>Keyboard use, the theme across a reload, and the page before its circuit connects.</summary>
public sealed class KeyboardAndFirstPaintTests(SeededDashboard server) : IClassFixture<SeededDashboard>
{
    [BrowserFact]
    public async Task Tabbing_from_the_top_reaches_Train_and_shows_a_focus_ring()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync(server.Url("/"));
        await page.GetByTestId("train").WaitForAsync();

        // Tab through the page from its start until Train has the focus; every stop on the way is a real control.
        string? focused = null;
        for (int i = 0; i < 80 && focused != "train"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused = await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-testid')");
        }
        Assert.Equal("train", focused);
        var ring = await page.EvaluateAsync<string[]>("""
            () => { const s = getComputedStyle(document.activeElement); return [String(document.activeElement.matches(':focus-visible')), s.outlineStyle, s.outlineWidth]; }
            """);
        Assert.Equal("true", ring[0]);
        Assert.NotEqual("none", ring[1]);
        Assert.True(double.Parse(ring[2].Replace("px", ""), System.Globalization.CultureInfo.InvariantCulture) >= 2, $"outline width {ring[2]}");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Dark_mode_survives_a_reload_and_the_first_paint_is_already_dark()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync(server.Url("/"));
        var toggle = page.GetByTestId("dark-mode");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        // The cookie is written by the click's script call: wait for it rather than for time.
        await page.WaitForFunctionAsync("() => document.cookie.includes('theme=dark')");

        var served = await page.Context.APIRequest.GetAsync(server.Url("/"));
        Assert.Contains("first-paint-dark", await served.TextAsync()); // the server's HTML, before any script runs, is dark

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "true");
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(17, 21, 31)", background); // the dark palette's background, #11151f

        await page.GetByTestId("dark-mode").ClickAsync();
        await page.WaitForFunctionAsync("() => document.cookie.includes('theme=light')");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Without_JavaScript_the_page_shows_the_designer_heading_and_working_links()
    {
        var page = await server.NewPageAsync(javaScript: false);
        await page.GotoAsync(server.Url("/"));
        var firstPaint = page.GetByTestId("first-paint");
        await Assertions.Expect(firstPaint).ToBeVisibleAsync();
        await Assertions.Expect(firstPaint.GetByRole(AriaRole.Heading, new() { Name = "Experiment" })).ToBeVisibleAsync();
        await Assertions.Expect(firstPaint.GetByRole(AriaRole.Link, new() { Name = "History" })).ToHaveAttributeAsync("href", "/history");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Before_the_circuit_connects_the_first_paint_shows_and_it_gives_way_to_the_designer()
    {
        var page = await server.NewPageAsync();
        // Hold the Blazor script back: what shows meanwhile is what a user sees before the circuit connects.
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/_framework/blazor.web*.js", async route => { await release.Task; await route.ContinueAsync(); });
        await page.GotoAsync(server.Url("/"), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByTestId("first-paint").GetByRole(AriaRole.Heading, new() { Name = "Experiment" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("train").CountAsync());

        release.SetResult();
        await Assertions.Expect(page.GetByTestId("train")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("first-paint")).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_strategy_explanation_cut_to_two_lines_opens_with_its_more_button()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync(server.Url("/?strategy=ewc"));
        var text = page.GetByTestId("strategy-explain");
        var more = page.GetByTestId("strategy-explain-toggle");
        await Assertions.Expect(more).ToHaveTextAsync("more");
        await Assertions.Expect(more).ToHaveAttributeAsync("aria-expanded", "false");
        var clampedHeight = await text.EvaluateAsync<double>("e => e.getBoundingClientRect().height");
        var isCut = await text.EvaluateAsync<bool>("e => e.scrollHeight > e.clientHeight + 1");
        Assert.True(isCut, "ewc's explanation is longer than two lines of the designer's column");

        await more.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(more).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(more).ToHaveTextAsync("less");
        await page.WaitForFunctionAsync("() => { const e = document.querySelector('[data-testid=strategy-explain]'); return e.scrollHeight <= e.clientHeight + 1; }");
        Assert.True(await text.EvaluateAsync<double>("e => e.getBoundingClientRect().height") > clampedHeight);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_number_field_keeps_bad_input_and_names_the_rule_and_Train_waits_for_a_fix()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync(server.Url("/"));
        var batch = page.Locator("input[data-testid=batch-size], [data-testid=batch-size] input").First;
        await batch.FillAsync("1.5");
        await batch.PressAsync("Tab");
        await Assertions.Expect(page.GetByText("Batch: '1.5' is not a whole number")).ToBeVisibleAsync();
        await Assertions.Expect(batch).ToHaveValueAsync("1.5"); // kept, not silently reverted
        await Assertions.Expect(page.GetByTestId("train")).ToBeDisabledAsync();
        Assert.DoesNotContain("batchSize=1.5", page.Url);

        await batch.FillAsync("0");
        await batch.PressAsync("Tab");
        await Assertions.Expect(page.GetByText("Batch: must be between 1 and 4096")).ToBeVisibleAsync(); // the shared validator's rule
        await batch.FillAsync("64");
        await batch.PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("train")).ToBeEnabledAsync();
        Assert.Contains("batchSize=64", page.Url);
        await page.Context.CloseAsync();
    }
}
