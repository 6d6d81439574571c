using ContinualLearning.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ContinualLearning.History.Tests;

/// <summary>
/// Two students' browsers against one class-mode server: each sees only their own runs under "My runs", everyone's
/// under "Class", and no Cancel, Rename or Delete for another's run.
/// </summary>
public class ClassroomBrowserTest
{
    static readonly object ShortRun = new { iterationsPerTask = 6, evalEvery = 3 };
    /// <summary>Trains far longer than the test (which cancels it): 40,000 steps at full speed.</summary>

    [BrowserFact]
    public async Task A_student_sees_only_their_runs_by_default_and_no_controls_on_anothers()
    {
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = "moderate-the-class-2026" });
        var http = server.CreateClient();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var (ann, annPage) = await Student(browser, server, "Ann");
        var (ben, benPage) = await Student(browser, server, "Ben");

        var bensRun = await StartRun(ben, server, ShortRun);
        var annsFinished = await StartRun(ann, server, ShortRun);
        foreach (var id in new[] { bensRun, annsFinished }) await Api.WaitStored(http, id);
        var annsGoing = await StartRun(ann, server, LongRun.Body);
        try
        {
            // Anyone with the link may watch Ann's run; only Ann sees Cancel.
            await annPage.GotoAsync(new Uri(server.BaseAddress, $"/?run={annsGoing}").ToString());
            await Assertions.Expect(annPage.Locator($"[data-testid=live-run][data-run-id='{annsGoing}']")).ToBeVisibleAsync();
            await Assertions.Expect(annPage.Locator("[data-testid=cancel]")).ToHaveCountAsync(1);
            await benPage.GotoAsync(new Uri(server.BaseAddress, $"/?run={annsGoing}").ToString());
            await Assertions.Expect(benPage.Locator($"[data-testid=live-run][data-run-id='{annsGoing}']")).ToBeVisibleAsync();
            await Assertions.Expect(benPage.Locator("[data-testid=step]")).ToBeVisibleAsync();
            await Assertions.Expect(benPage.Locator("[data-testid=cancel]")).ToHaveCountAsync(0);

            // Ben's history: his run only, by default.
            await benPage.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
            var grid = benPage.Locator("[data-testid=history-page]");
            await Assertions.Expect(grid).ToHaveAttributeAsync("data-view", "mine");
            await Assertions.Expect(grid).ToHaveAttributeAsync("data-run-count", "1");
            await Assertions.Expect(benPage.Locator($"[data-testid=name-{bensRun}]")).ToBeVisibleAsync();
            await Assertions.Expect(benPage.Locator($"[data-testid=name-{annsFinished}]")).ToHaveCountAsync(0);

            // The class: everyone's runs with their owners' names; Ben may rename only his own.
            await benPage.GetByRole(AriaRole.Tab, new() { Name = "Class" }).ClickAsync();
            await Assertions.Expect(grid).ToHaveAttributeAsync("data-view", "class");
            await Assertions.Expect(grid).ToHaveAttributeAsync("data-run-count", "3");
            await Assertions.Expect(benPage.Locator($"[data-testid=owner-{annsFinished}]")).ToHaveTextAsync("Ann");
            await Assertions.Expect(benPage.Locator($"[data-testid=owner-{bensRun}]")).ToHaveTextAsync("Ben (you)");
            await Assertions.Expect(benPage.Locator($"[data-testid=rename-{bensRun}]")).ToHaveCountAsync(1);
            await Assertions.Expect(benPage.Locator($"[data-testid=rename-{annsFinished}]")).ToHaveCountAsync(0);
            var tick = benPage.Locator("tr", new() { Has = benPage.Locator($"[data-testid=status-{annsFinished}]") }).Locator("input[type=checkbox]");
            // One tick, counted at once, although the long run makes the grid re-read its rows every 2 s: rows are kept, not replaced.
            await tick.CheckAsync(new() { Force = true }); // MudBlazor draws its own box over the input
            await Assertions.Expect(benPage.Locator("[data-testid=compare-selected]")).ToContainTextAsync("Compare (1)"); // comparing is anyone's
            await Assertions.Expect(benPage.Locator("[data-testid=delete-selected]")).ToBeDisabledAsync();

            var cancelled = await ann.APIRequest.PostAsync(new Uri(server.BaseAddress, $"/api/runs/{annsGoing}/cancel").ToString(), new() { DataObject = new { } });
            Assert.Equal(200, cancelled.Status);
        }
        finally
        {
            await server.Services.GetRequiredService<IRunQueue>().CancelAsync(server.Run(annsGoing)); // whatever failed above: stop the long run
        }
        await server.Run(annsGoing).Completion.WaitAsync(TimeSpan.FromMinutes(2));
    }

    [BrowserFact]
    public async Task The_instructor_signs_in_with_the_key_and_only_instructors_see_the_instructor_link()
    {
        await using var server = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:InstructorKey"] = "moderate-the-class-2026" });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var (_, teacher) = await Student(browser, server, "Prof");
        var (_, student) = await Student(browser, server, "Sam");

        await teacher.GotoAsync(new Uri(server.BaseAddress, "/instructor").ToString());
        await teacher.Locator("[data-testid=instructor-key]").FillAsync("a wrong guess");
        await teacher.Locator("[data-testid=instructor-sign-in]").ClickAsync();
        await Assertions.Expect(teacher.Locator("[data-testid=instructor-error]")).ToContainTextAsync("not the instructor key");
        await teacher.Locator("[data-testid=instructor-key]").FillAsync("moderate-the-class-2026");
        await teacher.Locator("[data-testid=instructor-sign-in]").ClickAsync();
        // Signed in: the class's runs, and the instructor link in the visitor menu.
        await Assertions.Expect(teacher.Locator("[data-testid=history-page]")).ToHaveAttributeAsync("data-view", "class");
        await teacher.GetByRole(AriaRole.Button, new() { Name = "You" }).ClickAsync();
        await Assertions.Expect(teacher.Locator(".mud-popover-open").GetByText("Instructor", new() { Exact = true })).ToBeVisibleAsync();

        await student.GotoAsync(new Uri(server.BaseAddress, "/history").ToString());
        await Assertions.Expect(student.Locator("[data-testid=history-page]")).ToHaveAttributeAsync("data-view", "mine");
        await student.GetByRole(AriaRole.Button, new() { Name = "You" }).ClickAsync();
        await Assertions.Expect(student.Locator(".mud-popover-open").GetByText("Connect from code…")).ToBeVisibleAsync();
        await Assertions.Expect(student.Locator(".mud-popover-open").GetByText("Instructor", new() { Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>A browser of its own (own cookie, so own identity) that has set its display name.</summary>
    static async Task<(IBrowserContext, IPage)> Student(IBrowser browser, DashboardServer server, string name)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(server.BaseAddress.ToString());
        var named = await context.APIRequest.PutAsync(new Uri(server.BaseAddress, "/api/me/name").ToString(), new() { DataObject = new { displayName = name } });
        Assert.Equal(200, named.Status);
        return (context, page);
    }

    /// <summary>Starts a run as the browser's visitor (the request carries the context's cookie).</summary>
    static async Task<string> StartRun(IBrowserContext context, DashboardServer server, object config)
    {
        var response = await context.APIRequest.PostAsync(new Uri(server.BaseAddress, "/api/runs").ToString(), new() { DataObject = config });
        Assert.Equal(202, response.Status);
        return (await response.JsonAsync())!.Value.GetProperty("id").GetString()!;
    }
}
