using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// A class at once, in browsers: the instructor publishes from the designer, three students (three browser contexts,
/// three identities) join by the board's link and train with their own values, and the board's curve collects them.
/// </summary>
public sealed class ClassExperimentBrowserTests
{
    const string Key = "moderate-the-class-2026";
    /// <summary>Students' runs finish in moments; the board must show them as they land.</summary>
    static readonly float Landing = 180_000;

    [BrowserFact]
    public async Task Students_join_by_the_link_train_their_values_and_the_boards_curve_gains_their_points()
    {
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = Key });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var teacher = await Visitor(browser, server, "Prof");
        var students = new[] { await Visitor(browser, server, "Ann"), await Visitor(browser, server, "Ben"), await Visitor(browser, server, "Cat") };

        // The instructor signs in, sets the experiment up in the designer and publishes it with its range.
        await teacher.GotoAsync(Url(server, "/instructor"));
        await teacher.GetByTestId("instructor-key").FillAsync(Key);
        await teacher.GetByTestId("instructor-sign-in").ClickAsync();
        await Assertions.Expect(teacher.GetByTestId("history-page")).ToBeVisibleAsync();
        await teacher.GotoAsync(Url(server, "/?strategy=replay&iterationsPerTask=6&evalEvery=3"));
        await teacher.GetByTestId("publish-class").ClickAsync();
        await Assertions.Expect(teacher.GetByTestId("fixed-config").Locator("tr[data-field=strategy] td")).ToHaveTextAsync("replay");
        await Field(teacher, "publish-max").FillAsync("0.4");
        await Field(teacher, "publish-step").FillAsync("0.2");
        await Field(teacher, "publish-step").PressAsync("Tab");
        await teacher.GetByTestId("publish").ClickAsync();
        var panel = teacher.GetByTestId("experiment-panel");
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-open", "true");
        await Assertions.Expect(teacher.GetByTestId("join-qr")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/png;base64,"));
        var joinLink = (await teacher.GetByTestId("join-link").GetAttributeAsync("href"))!;
        Assert.Matches("/class/c[0-9a-f]{11}$", joinLink);
        await Assertions.Expect(teacher.GetByTestId("experiment-curve")).ToHaveAttributeAsync("data-points", "0");

        // Each student opens the link (no sign-in), sees the fixed config, picks a value and trains their own run.
        var values = new[] { "0", "0.2", "0.4" };
        for (int i = 0; i < students.Length; i++)
        {
            var student = students[i];
            await student.GotoAsync(joinLink);
            await Assertions.Expect(student.GetByTestId("fixed-config").Locator("tr[data-field=replayRatio] td")).ToHaveTextAsync("your choice");
            await student.Locator(".mud-slider input[type=range]").FillAsync(values[i]);
            await Assertions.Expect(student.GetByTestId("join-value")).ToHaveTextAsync(values[i]);
            await student.GetByTestId("join-train").ClickAsync();
            await Assertions.Expect(student.GetByTestId("live-run")).ToBeVisibleAsync();
            await Assertions.Expect(student.GetByTestId("join-mine")).ToContainTextAsync($"replayRatio {values[i]}");
            await Assertions.Expect(student.GetByTestId("close-experiment")).ToHaveCountAsync(0);
        }

        // The board: every student's run as a tile, and each finished run as a point on the curve, with a mean per value.
        await Assertions.Expect(teacher.GetByTestId("experiment-curve")).ToHaveAttributeAsync("data-points", "3", new() { Timeout = Landing });
        await Assertions.Expect(teacher.GetByTestId("experiment-curve")).ToHaveAttributeAsync("data-means", "3");
        await Assertions.Expect(teacher.GetByTestId("experiment-chart").Locator(".scatterlayer .trace").First).ToBeVisibleAsync();
        await Assertions.Expect(teacher.GetByTestId("run-tile")).ToHaveCountAsync(3);
        foreach (var name in new[] { "Ann", "Ben", "Cat" })
            await Assertions.Expect(teacher.GetByTestId("run-tile").Filter(new() { HasText = name })).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = Landing });
        await Assertions.Expect(teacher.GetByTestId("count-finished")).ToContainTextAsync("3 finished");

        // A tile opens the run's live view over the board; Escape goes back.
        await teacher.GetByTestId("run-tile").Filter(new() { HasText = "Ben" }).ClickAsync();
        await Assertions.Expect(teacher.GetByTestId("board-enlarged").GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished");
        await teacher.Keyboard.PressAsync("Escape");
        await Assertions.Expect(teacher.GetByTestId("board-enlarged")).ToHaveCountAsync(0);

        // A student cannot open the board; the instructor closes the experiment and the join page says so.
        var refused = await students[0].GotoAsync(Url(server, "/class"));
        Assert.Equal(403, refused!.Status);
        await Assertions.Expect(students[0].GetByTestId("class-board")).ToHaveCountAsync(0);
        await teacher.GetByTestId("close-experiment").ClickAsync();
        await Assertions.Expect(teacher.GetByTestId("experiment-closed")).ToBeVisibleAsync();
        await students[1].GotoAsync(joinLink);
        await Assertions.Expect(students[1].GetByTestId("join-closed")).ToBeVisibleAsync();
        await Assertions.Expect(students[1].GetByTestId("join-train")).ToHaveCountAsync(0);
    }

    static string Url(DashboardServer server, string path) => new Uri(server.BaseAddress, path).ToString();

    /// <summary>A MudBlazor field's input, whichever element carries the test id.</summary>
    static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>A browser of its own (own cookie, so own identity) that has set its display name.</summary>
    static async Task<IPage> Visitor(IBrowser browser, DashboardServer server, string name)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(server.BaseAddress.ToString());
        var named = await context.APIRequest.PutAsync(Url(server, "/api/me/name"), new() { DataObject = new { displayName = name } });
        Assert.Equal(200, named.Status);
        return page;
    }
}
