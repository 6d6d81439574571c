using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace ContinualLearning.Dashboard.Tests;

public sealed class HubTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    static readonly RunConfig Short = new() { IterationsPerTask = 8, EvalEvery = 4 };

    static string Json(RunEvent e) => System.Text.Json.JsonSerializer.Serialize(e, ContinualLearning.Engine.EngineJson.Options);

    static async Task<List<RunEvent>> WatchAll(HubConnection hub, string id)
    {
        var events = new List<RunEvent>();
        await foreach (var e in hub.StreamAsync<RunEvent>("Watch", id)) events.Add(e);
        return events;
    }

    static void AssertCompleteStream(IReadOnlyList<RunEvent> events, string id)
    {
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq)); // 1..n, no gaps
        Assert.All(events, e => Assert.Equal(id, e.RunId));
        Assert.Equal(RunEventKind.Started, events[0].Kind);
        Assert.Equal(RunEventKind.Finished, events[^1].Kind);
        Assert.NotNull(events[^1].Result);
        Assert.Equal(2, events.Count(e => e.Kind == RunEventKind.TaskFinished));
        Assert.Equal(16, events.Count(e => e.Kind == RunEventKind.Step));
    }

    [Fact]
    public async Task A_watcher_receives_the_whole_ordered_stream_and_it_completes_when_the_run_ends()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        // Paced so the watcher is attached while the run trains: it sees history and then live events.
        var id = await hub.InvokeAsync<string>("Start", Short with { Pace = 100 });
        var events = await WatchAll(hub, id);
        AssertCompleteStream(events, id);
        // The hub sends the run's own log, event for event (compared as JSON: records hold arrays).
        Assert.Equal(server.Run(id).Events.Snapshot().Select(Json), events.Select(Json));
    }

    [Fact]
    public async Task A_late_subscriber_gets_the_full_history()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short);
        await server.Run(id).Completion;
        var events = await WatchAll(hub, id);
        AssertCompleteStream(events, id);
    }

    [Fact]
    public async Task Events_travel_as_camelCase_json_with_enum_names_as_strings()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short);
        var raw = new List<System.Text.Json.JsonElement>();
        await foreach (var e in hub.StreamAsync<System.Text.Json.JsonElement>("Watch", id)) raw.Add(e);

        Assert.Equal("started", raw[0].GetProperty("kind").GetString());
        Assert.Equal(id, raw[0].GetProperty("runId").GetString());
        Assert.Equal(1, raw[0].GetProperty("seq").GetInt64());
        Assert.True(raw[0].GetProperty("plan").TryGetProperty("taskClasses", out _));
        var evaluation = raw.First(e => e.GetProperty("kind").GetString() == "evaluation");
        Assert.Equal(2, evaluation.GetProperty("accuracies").GetArrayLength());
        Assert.False(evaluation.TryGetProperty("loss", out _)); // nulls are left out
        Assert.Equal("finished", raw[^1].GetProperty("kind").GetString());
        Assert.True(raw[^1].GetProperty("result").TryGetProperty("accuracyMatrix", out _));
    }

    [Fact]
    public async Task Unknown_ids_and_invalid_configs_are_clear_hub_errors()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var unknown = await Assert.ThrowsAsync<HubException>(() => WatchAll(hub, "no-such-run"));
        Assert.Contains("no-such-run", unknown.Message);

        var invalid = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("Start", new RunConfig { BatchSize = 0, Epochs = 0 }));
        Assert.Contains("batchSize", invalid.Message);
        Assert.Contains("epochs", invalid.Message);
    }
}
