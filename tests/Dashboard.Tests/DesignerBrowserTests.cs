using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The designer's rough edges, in a real browser: quick clicks on Train, and the replay memory it promises.</summary>
public sealed partial class DesignerBrowserTests(SeededDashboard server) : IClassFixture<SeededDashboard>
{
    [BrowserFact]
    public async Task Three_quick_clicks_on_Train_make_one_run_whose_memory_is_the_count_the_designer_showed()
    {
        using var http = server.Http();
        int RunCount(JsonElement runs) => runs.GetArrayLength();
        var before = RunCount(await http.GetFromJsonAsync<JsonElement>("/api/runs"));

        var page = await server.NewPageAsync();
        await page.GotoAsync(server.Url("/?strategy=replay&replayRatio=0.5&iterationsPerTask=5&evalEvery=5&pace=0"));
        var promised = Number(await page.GetByTestId("replay-kept").TextContentAsync(), StoresPattern());

        // One triple click: three click events in a row, sent before the first one's disabled button can be drawn.
        await page.GetByTestId("train").ClickAsync(new() { ClickCount = 3 });
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 });
        Assert.Equal(before + 1, RunCount(await http.GetFromJsonAsync<JsonElement>("/api/runs")));
        await Assertions.Expect(page.GetByTestId("train")).ToBeEnabledAsync(); // the run has started (and ended): Train is back

        // The live memory panel agrees with the designer: task 1's share only (the last task is never replayed).
        var stored = Number(await page.GetByTestId("memory-size").TextContentAsync(), StoredPattern());
        Assert.Equal(promised, stored);
        await page.Context.CloseAsync();
    }

    static int Number(string? text, Regex pattern)
    {
        var match = pattern.Match(text ?? "");
        Assert.True(match.Success, $"no count in '{text}'");
        return int.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"stores ([\d,]+) of task 1")]
    private static partial Regex StoresPattern();

    [GeneratedRegex(@"([\d,]+) images stored")]
    private static partial Regex StoredPattern();
}
