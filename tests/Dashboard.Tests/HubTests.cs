using Microsoft.Extensions.DependencyInjection;
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
        // A config's pace no longer slows training (it is the viewers' default); the watcher sees history, then live.
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

    [Fact]
    public async Task WatchFrom_k_returns_exactly_the_events_k_to_n()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short);
        await server.Run(id).Completion;
        var all = server.Run(id).Events.Snapshot();
        foreach (long k in new long[] { 1, 2, 17, all.Count, all.Count + 1 })
        {
            var events = new List<RunEvent>();
            await foreach (var e in hub.StreamAsync<RunEvent>("WatchFrom", id, null, k)) events.Add(e);
            Assert.Equal(all.Skip((int)k - 1).Select(Json), events.Select(Json));
        }
    }

    [Fact]
    public async Task A_slow_watcher_holds_neither_the_run_nor_another_watcher()
    {
        await using var slowHub = server.Hub();
        await using var fastHub = server.Hub();
        await slowHub.StartAsync();
        await fastHub.StartAsync();
        // The seed's ~126 steps with a config pace of 0.5 steps/s: over 4 minutes if training still waited for the pace.
        var config = new RunConfig { Pace = ConfigValidator.MinPace };
        var id = await fastHub.InvokeAsync<string>("Start", config);

        // One viewer plays it at 0.5 steps/s (as good as paused), the other as fast as available.
        using var stopSlow = new CancellationTokenSource();
        var slowEvents = new List<RunEvent>();
        var slow = Task.Run(async () =>
        {
            try { await foreach (var e in slowHub.StreamAsync<RunEvent>("WatchFrom", id, ConfigValidator.MinPace, 1, stopSlow.Token)) lock (slowEvents) slowEvents.Add(e); }
            catch (OperationCanceledException) { }
        });
        var fast = await WatchAll(fastHub, id);
        var result = await server.Run(id).Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.NotNull(result);
        Assert.Equal(RunEventKind.Finished, fast[^1].Kind);
        Assert.Equal(server.Run(id).Events.Count, fast.Count);
        var steps = fast.Where(e => e.Kind == RunEventKind.Step).ToArray();
        double trained = (steps[^1].Time - steps[0].Time).TotalSeconds, paced = steps.Length / config.Pace;
        Assert.True(trained < paced / 10, $"{steps.Length} steps took {trained:0.0} s; at the config's pace {paced:0} s");
        lock (slowEvents)
        {
            Assert.NotEmpty(slowEvents); // the slow viewer is being served, at its own pace
            Assert.True(slowEvents.Count < fast.Count, $"the slow viewer has {slowEvents.Count} of {fast.Count} events");
            Assert.Equal(fast.Take(slowEvents.Count).Select(Json), slowEvents.Select(Json));
        }
        stopSlow.Cancel();
        await slow.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(HubConnectionState.Connected, slowHub.State);
    }

    [Fact]
    public async Task A_paced_watch_of_a_finished_run_takes_its_steps_over_the_pace()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short); // 16 steps
        await server.Run(id).Completion;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var events = new List<RunEvent>();
        await foreach (var e in hub.StreamAsync<RunEvent>("WatchFrom", id, 20, null)) events.Add(e);
        AssertCompleteStream(events, id);
        // Step 0 to step 16 at 20 steps/s: at least 0.8 s (timers never fire early).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(780), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task WatchBatches_streams_the_whole_run_in_order_with_several_events_per_message()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short);
        var batches = new List<RunEvent[]>();
        await foreach (var b in hub.StreamAsync<RunEvent[]>("WatchBatches", id, 0, null)) batches.Add(b);

        var events = batches.SelectMany(b => b).ToList();
        AssertCompleteStream(events, id); // seq 1..n across messages: none lost, none repeated
        Assert.Equal(server.Run(id).Events.Snapshot().Select(Json), events.Select(Json));
        Assert.All(batches, b => Assert.NotEmpty(b));

        // A finished run's history is all there at once: far fewer messages than events.
        var again = new List<RunEvent[]>();
        await foreach (var b in hub.StreamAsync<RunEvent[]>("WatchBatches", id, null, 1)) again.Add(b);
        Assert.Equal(events.Select(Json), again.SelectMany(b => b).Select(Json));
        Assert.True(again.Count < events.Count, $"{again.Count} messages for {events.Count} events");
    }

    [Fact]
    public async Task WatchBatches_at_a_pace_from_seq_k_plays_exactly_the_events_k_to_n_over_the_pace()
    {
        await using var hub = server.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short); // 16 steps
        await server.Run(id).Completion;
        var all = server.Run(id).Events.Snapshot();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batches = new List<RunEvent[]>();
        await foreach (var b in hub.StreamAsync<RunEvent[]>("WatchBatches", id, 20, 3)) batches.Add(b);

        Assert.Equal(all.Skip(2).Select(Json), batches.SelectMany(b => b).Select(Json));
        // Paced: the steps leave over time, so not all in one message; at 20 steps/s, from step ~1 to 16 takes >= 0.7 s.
        Assert.True(batches.Count > 1);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task WatchFrom_serves_a_stored_run_from_seq_k_too()
    {
        // Finished runs leave memory once stored: WatchFrom then reads the run database.
        await using var stored = DashboardServer.Start(settings: new Dictionary<string, string> { ["ContinualLearning:FinishedRunsInMemory"] = "0" });
        await using var hub = stored.Hub();
        await hub.StartAsync();
        var id = await hub.InvokeAsync<string>("Start", Short);
        var all = await WatchAll(hub, id);
        var registry = stored.Services.GetRequiredService<ContinualLearning.Runs.IRunRegistry>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (registry.Find(id) is not null) await Task.Delay(50, limit.Token); // poll interval while waiting for the release

        var fromFive = new List<RunEvent>();
        await foreach (var e in hub.StreamAsync<RunEvent>("WatchFrom", id, 0, 5)) fromFive.Add(e);
        Assert.Equal(all.Skip(4).Select(Json), fromFive.Select(Json));
    }
}
