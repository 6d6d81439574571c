using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage.Tests;

/// <summary>The store contract, run against both stores (SQLite, and PostgreSQL where installed); SQLite-file specifics at the end.</summary>
[Collection(PostgresCollection.Name)]
public class RunStoreTests(PostgresServer postgres) : IDisposable
{
    readonly TestStores stores = new(postgres);
    public void Dispose() => stores.Dispose();

    static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    static RunEvent Event(string run, long seq, RunEventKind kind, RunResult? result = null, string? message = null) => new()
    {
        RunId = run, Seq = seq, Kind = kind, Time = T0.AddSeconds(seq), Task = 0, Step = seq, Loss = kind == RunEventKind.Step ? 1.0 / seq : null,
        Accuracies = kind == RunEventKind.Evaluation ? [50, 0] : null, Result = result, Message = message,
    };

    static RunResult Result(RunConfig config) =>
        RunResult.From(config, [[95, 0], [10, 85]], 321, new DataSetInfo("mnist-10k", 8000, 2000, true));

    [Theory, SqliteStore, PostgresStore]
    public void The_going_runs_are_the_queued_and_running_ones_oldest_first(StoreKind kind)
    {
        var store = stores.Open(kind);
        store.AddRuns([new NewRun("late", new RunConfig { Seed = 3 }, T0.AddSeconds(2), Owner: "b"), new NewRun("early", new RunConfig { Seed = 1 }, T0, Owner: "a"),
            new NewRun("middle", new RunConfig { Seed = 2 }, T0.AddSeconds(1)), new NewRun("done", new RunConfig(), T0)]);
        store.AppendEvents("middle", [Event("middle", 1, RunEventKind.Started)]);
        store.AppendEvents("done", [Event("done", 1, RunEventKind.Cancelled)]);

        var going = store.ListGoing();

        Assert.Equal(["early", "middle", "late"], going.Select(r => r.Id));
        Assert.Equal([RunStatus.Queued, RunStatus.Running, RunStatus.Queued], going.Select(r => r.Status));
        Assert.Equal(("a", 1), (going[0].Owner, going[0].Config.Seed));
    }

    [Theory, SqliteStore, PostgresStore]
    public void An_end_stored_by_the_queue_never_overwrites_one_stored_meanwhile_nor_lands_beside_the_events_stored(StoreKind kind)
    {
        var store = stores.Open(kind);
        store.AddRuns([new NewRun("queued", new RunConfig(), T0), new NewRun("lost", new RunConfig(), T0), new NewRun("finished", new RunConfig(), T0)]);
        store.AppendEvents("lost", [Event("lost", 1, RunEventKind.Started), Event("lost", 2, RunEventKind.Step)]);
        store.AppendEvents("finished", [Event("finished", 1, RunEventKind.Started), Event("finished", 2, RunEventKind.Cancelled)]);
        var cancelled = new RunEvent { RunId = "queued", Seq = 1, Kind = RunEventKind.Cancelled, Time = T0, Message = "Cancelled before it started." };
        RunEvent Interrupted(string id, long seq) => RunEvent.InterruptedEnd(id, "lost", seq, T0.AddMinutes(1));

        Assert.Equal(AppendResult.Stored, store.AppendEvents("queued", [cancelled]));
        Assert.Equal(AppendResult.AlreadyEnded, store.AppendEvents("queued", [cancelled])); // once
        Assert.Equal(AppendResult.OutOfStep, store.AppendEvents("lost", [Interrupted("lost", 2)])); // not on an event it holds: it may have more
        Assert.Equal(AppendResult.OutOfStep, store.AppendEvents("lost", [Interrupted("lost", 4)])); // nor after a gap
        Assert.Equal(AppendResult.Stored, store.AppendEvents("lost", [Interrupted("lost", 3)]));
        Assert.Equal(AppendResult.AlreadyEnded, store.AppendEvents("finished", [Interrupted("finished", 3)])); // an end already stored stays
        Assert.Equal(AppendResult.UnknownRun, store.AppendEvents("unknown", [Interrupted("unknown", 1)]));

        Assert.Equal(RunStatus.Cancelled, store.GetSummary("queued")!.Status);
        Assert.Equal(RunEventKind.Cancelled, Assert.Single(store.GetEvents("queued")).Kind);
        var lost = store.GetRun("lost")!;
        Assert.Equal((RunStatus.Interrupted, "lost", 3), (lost.Summary.Status, lost.Summary.Error, lost.Summary.EventCount));
        Assert.Equal([1L, 2, 3], lost.Events.Select(e => e.Seq));
        Assert.True(lost.Events[^1].Interrupted);
        Assert.Equal(RunStatus.Cancelled, store.GetSummary("finished")!.Status);
        Assert.Equal(2, store.GetEvents("finished").Count);
        Assert.Empty(store.ListGoing());
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_copys_end_that_lags_the_store_changes_nothing_and_the_run_ends_with_its_own_end(StoreKind kind)
    {
        var store = stores.Open(kind);
        store.AddRun("r", new RunConfig(), T0);
        store.AppendEvents("r", [Event("r", 1, RunEventKind.Started), Event("r", 2, RunEventKind.Step), Event("r", 3, RunEventKind.Step)]);

        // A node's copy held two events when it lost the run's stream; its silo had stored three and trains on.
        Assert.Equal(AppendResult.OutOfStep, store.AppendEvents("r", [Event("r", 1, RunEventKind.Started), Event("r", 2, RunEventKind.Step), RunEvent.InterruptedEnd("r", "lost", 3, T0)]));
        Assert.Equal(RunStatus.Running, store.GetSummary("r")!.Status);
        Assert.Equal(AppendResult.Stored, store.AppendEvents("r", [Event("r", 4, RunEventKind.Cancelled)]));

        var run = store.GetRun("r")!;
        Assert.Equal([RunEventKind.Started, RunEventKind.Step, RunEventKind.Step, RunEventKind.Cancelled], run.Events.Select(e => e.Kind));
        Assert.Equal((RunStatus.Cancelled, 4), (run.Summary.Status, run.Summary.EventCount));
    }

    [Fact]
    public void OpeningCreatesTheSchemaAtTheLatestVersionInWalMode()
    {
        using var store = stores.Open(StoreKind.Sqlite);
        Assert.True(File.Exists(stores.SqlitePath));
        Assert.Equal(5, store.SchemaVersion());
        Assert.Empty(store.ListRuns());

        using var connection = new SqliteConnection($"Data Source={stores.SqlitePath}");
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", mode.ExecuteScalar());
    }

    [Theory, SqliteStore, PostgresStore]
    public void ReopeningKeepsTheSchemaAndTheData(StoreKind kind)
    {
        using (var store = stores.Open(kind)) store.AddRun("a", new RunConfig(), T0);
        using var again = stores.Open(kind);
        Assert.Equal(5, again.SchemaVersion());
        Assert.Equal("a", Assert.Single(again.ListRuns()).Id);
    }

    [Fact]
    public void AnOlderSchemaIsMigratedOnOpen()
    {
        // A version-1 file (runs and events, no sweeps table) as an older build would have left it.
        Directory.CreateDirectory(Path.GetDirectoryName(stores.SqlitePath)!);
        using (var connection = new SqliteConnection($"Data Source={stores.SqlitePath}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
                CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, created_at INTEGER NOT NULL, started_at INTEGER,
                  ended_at INTEGER, config_json TEXT NOT NULL, result_json TEXT, error TEXT, sweep_id TEXT, average_accuracy REAL,
                  forgetting REAL, backward_transfer REAL, duration_ms INTEGER, event_count INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE run_events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
                INSERT INTO runs (id, status, created_at, config_json) VALUES ('old', 'finished', 0, '{}');
                """;
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        using var store = stores.Open(StoreKind.Sqlite);
        Assert.Equal(5, store.SchemaVersion()); // sweeps (2), health_probe (3), owners (4) and class experiments (5) added
        var old = Assert.Single(store.ListRuns());
        Assert.Equal("old", old.Id);
        Assert.Equal("local", old.Owner); // runs from before ownership belong to the local user
        store.AddSweep("s", "{}", ["old"], T0);
        Assert.Equal(["old"], store.GetSweep("s")!.RunIds);
    }

    [Theory, SqliteStore, PostgresStore]
    public void EachRunKeepsWhoSubmittedIt(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRuns([new NewRun("a", new RunConfig(), T0, Owner: "student-a"), new NewRun("b", new RunConfig(), T0)]);
        Assert.Equal("student-a", store.GetSummary("a")!.Owner);
        Assert.Equal("local", store.GetSummary("b")!.Owner);
    }

    [Theory, SqliteStore, PostgresStore]
    public void ARunRoundTripsWithConfigStatusTimesResultAndEvents(StoreKind kind)
    {
        using var store = stores.Open(kind);
        var config = new RunConfig { Strategy = "replay", ReplayRatio = 0.3, Seed = 4, Model = "mlp" };
        store.AddRun("r1", config, T0, name: "my run");
        Assert.Equal(RunStatus.Queued, store.GetSummary("r1")!.Status);

        store.AppendEvents("r1", [Event("r1", 1, RunEventKind.Started), Event("r1", 2, RunEventKind.Step)]);
        var running = store.GetSummary("r1")!;
        Assert.Equal(RunStatus.Running, running.Status);
        Assert.Equal(T0.AddSeconds(1), running.StartedAt);

        var result = Result(config);
        store.AppendEvents("r1", [Event("r1", 3, RunEventKind.Evaluation), Event("r1", 4, RunEventKind.Finished, result)]);

        var stored = store.GetRun("r1")!;
        var s = stored.Summary;
        Assert.Equal(("my run", RunStatus.Finished, T0, T0.AddSeconds(4)), (s.Name, s.Status, s.CreatedAt, s.EndedAt));
        Assert.Equal(config with { HiddenSizes = s.Config.HiddenSizes }, s.Config);
        Assert.Equal(config.HiddenSizes, s.Config.HiddenSizes);
        Assert.Equal(("mnist-10k", "0-4|5-9", "replay", "mlp", 4, "replayRatio 0.3"), (s.Dataset, s.Tasks, s.Strategy, s.Model, s.Seed, s.KeyParameter));
        Assert.Equal(result.AverageAccuracy, s.AverageAccuracy);
        Assert.Equal(result.Forgetting, s.Forgetting);
        Assert.Equal(result.BackwardTransfer, s.BackwardTransfer);
        Assert.Equal(321, s.DurationMs);
        Assert.Equal(4, s.EventCount);
        Assert.Equal(result.AccuracyMatrix, stored.Result!.AccuracyMatrix);
        Assert.Equal([1L, 2, 3, 4], stored.Events.Select(e => e.Seq));
        Assert.Equal([RunEventKind.Started, RunEventKind.Step, RunEventKind.Evaluation, RunEventKind.Finished], stored.Events.Select(e => e.Kind));
        Assert.Equal(0.5, stored.Events[1].Loss);
        Assert.Equal([50.0, 0], stored.Events[2].Accuracies!);
        Assert.Equal(result.AverageAccuracy, stored.Events[3].Result!.AverageAccuracy);
        Assert.Equal([3L, 4], store.GetEvents("r1", fromSeq: 3).Select(e => e.Seq));
    }

    [Theory, SqliteStore, PostgresStore]
    public void FailedAndCancelledRunsKeepTheirStatusAndMessage(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("f", new RunConfig(), T0);
        store.AddRun("c", new RunConfig(), T0);
        store.AppendEvents("f", [Event("f", 1, RunEventKind.Started), Event("f", 2, RunEventKind.Failed, message: "out of memory")]);
        store.AppendEvents("c", [Event("c", 1, RunEventKind.Cancelled, message: "Cancelled.")]);

        var failed = store.GetSummary("f")!;
        Assert.Equal((RunStatus.Failed, "out of memory"), (failed.Status, failed.Error));
        Assert.Null(failed.AverageAccuracy);
        Assert.Equal(RunStatus.Cancelled, store.GetSummary("c")!.Status);
    }

    [Theory, SqliteStore, PostgresStore]
    public void RepeatedBatchesAreStoredOnce(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("r", new RunConfig(), T0);
        var batch = new[] { Event("r", 1, RunEventKind.Started), Event("r", 2, RunEventKind.Step) };
        store.AppendEvents("r", batch);
        store.AppendEvents("r", batch);
        Assert.Equal(2, store.GetEvents("r").Count);
    }

    [Theory, SqliteStore, PostgresStore]
    public void EventsOfARunDeletedWhileRunningAreDropped(StoreKind kind)
    {
        using var store = stores.Open(kind);
        Assert.Equal(AppendResult.UnknownRun, store.AppendEvents("ghost", [Event("ghost", 1, RunEventKind.Started)]));
        Assert.Empty(store.GetEvents("ghost"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void RunsLeftQueuedOrRunningBecomeInterruptedOnReopenWithTheirPartialEvents(StoreKind kind)
    {
        using (var store = stores.Open(kind))
        {
            store.AddRun("running", new RunConfig(), T0);
            store.AppendEvents("running", [Event("running", 1, RunEventKind.Started), Event("running", 2, RunEventKind.Step), Event("running", 3, RunEventKind.Evaluation)]);
            store.AddRun("queued", new RunConfig(), T0.AddSeconds(1));
            store.AddRun("done", new RunConfig(), T0.AddSeconds(2));
            store.AppendEvents("done", [Event("done", 1, RunEventKind.Started), Event("done", 2, RunEventKind.Finished, Result(new RunConfig()))]);
        }

        using var reopened = stores.Open(kind);
        Assert.Equal(2, reopened.InterruptedOnOpen);
        var running = reopened.GetRun("running")!;
        Assert.Equal(RunStatus.Interrupted, running.Summary.Status);
        Assert.Equal(RunStore.InterruptedMessage, running.Summary.Error);
        Assert.Equal(3, running.Events.Count);
        Assert.Equal(RunStatus.Interrupted, reopened.GetSummary("queued")!.Status);
        var done = reopened.GetRun("done")!;
        Assert.Equal(RunStatus.Finished, done.Summary.Status);
        Assert.NotNull(done.Result);
    }

    [Theory, SqliteStore, PostgresStore]
    public void A_single_servers_restart_interrupts_the_running_runs_and_leaves_the_queued_ones_queued_in_their_order(StoreKind kind)
    {
        using (var store = stores.Open(kind))
        {
            store.AddRuns([new NewRun("queued-2", new RunConfig { Seed = 2 }, T0.AddSeconds(2), Owner: "b"), new NewRun("running", new RunConfig(), T0),
                new NewRun("queued-1", new RunConfig { Seed = 1 }, T0.AddSeconds(1), Owner: "a")]);
            store.AppendEvents("running", [Event("running", 1, RunEventKind.Started), Event("running", 2, RunEventKind.Step)]);
        }

        using var reopened = stores.Open(kind, LeftGoing.InterruptRunning);
        Assert.Equal(1, reopened.InterruptedOnOpen);
        var running = reopened.GetRun("running")!;
        Assert.Equal((RunStatus.Interrupted, RunStore.InterruptedMessage, 2), (running.Summary.Status, running.Summary.Error, running.Events.Count));
        var going = reopened.ListGoing();
        Assert.Equal(["queued-1", "queued-2"], going.Select(r => r.Id));
        Assert.All(going, r => Assert.Equal(RunStatus.Queued, r.Status));
        Assert.Equal(["a", "b"], going.Select(r => r.Owner));
    }

    [Theory, SqliteStore, PostgresStore]
    public void ListIsNewestFirstAndReadsSummariesInTheOrderAsked(StoreKind kind)
    {
        using var store = stores.Open(kind);
        for (int i = 0; i < 5; i++) store.AddRun($"r{i}", new RunConfig { Seed = i }, T0.AddMinutes(i));
        Assert.Equal(["r4", "r3", "r2", "r1", "r0"], store.ListRuns().Select(r => r.Id));
        Assert.Equal(["r1", "r3"], store.ListRuns(["r1", "missing", "r3"]).Select(r => r.Id));
        Assert.Equal(3, store.GetSummary("r3")!.Seed);
    }

    [Theory, SqliteStore, PostgresStore]
    public void ResultsAreReadForFinishedRunsOnly(StoreKind kind)
    {
        using var store = stores.Open(kind);
        var config = new RunConfig { Seed = 2 };
        store.AddRun("done", config, T0);
        store.AddRun("going", config, T0);
        store.AppendEvents("done", [Event("done", 1, RunEventKind.Started), Event("done", 2, RunEventKind.Finished, Result(config))]);
        store.AppendEvents("going", [Event("going", 1, RunEventKind.Started)]);

        var results = store.GetResults(["done", "going", "missing"]);
        Assert.Equal(["done"], results.Keys);
        Assert.Equal(2, results["done"].Config.Seed);
    }

    [Theory, SqliteStore, PostgresStore]
    public void Runs_of_an_identical_config_get_distinct_numbered_names_whoever_owns_them(StoreKind kind)
    {
        using var store = stores.Open(kind);
        var config = new RunConfig { Strategy = "replay", ReplayRatio = 0.1 };
        var other = config with { Seed = 1 };
        store.AddRuns([new NewRun("a", config, T0, Owner: "alice")]);
        store.AddRuns([new NewRun("b", config, T0.AddSeconds(1), Owner: "bob"), new NewRun("c", config, T0.AddSeconds(2), Owner: "alice"),
            new NewRun("d", other, T0.AddSeconds(3), Owner: "bob")]);
        store.AddRun("e", config, T0.AddSeconds(4), name: "my own name");
        store.AddRun("f", config, T0.AddSeconds(5));

        var names = store.ListRuns().ToDictionary(r => r.Id, r => r.DisplayName);
        var name = RunSummary.DefaultName(config);
        Assert.Equal("replay · replayRatio 0.1 · linear · seed 0", name);
        Assert.Equal([name, $"{name} (2)", $"{name} (3)", RunSummary.DefaultName(other), "my own name", $"{name} (5)"],
            new[] { "a", "b", "c", "d", "e", "f" }.Select(id => names[id]));
        Assert.Null(store.GetSummary("a")!.Name); // the first keeps the default name, unstored
    }

    [Theory, SqliteStore, PostgresStore]
    public void RenameSetsAndClearsTheName(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("r", new RunConfig { Strategy = "replay", ReplayRatio = 0.5 }, T0);
        Assert.Equal("replay · replayRatio 0.5 · linear · seed 0", store.GetSummary("r")!.DisplayName);
        Assert.True(store.Rename("r", "  baseline  "));
        Assert.Equal("baseline", store.GetSummary("r")!.DisplayName);
        Assert.True(store.Rename("r", null));
        Assert.Null(store.GetSummary("r")!.Name);
        Assert.False(store.Rename("missing", "x"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("two\nlines")]
    public void BadNamesAreRefusedNamingTheFieldAndKeepTheStoredName(string bad)
    {
        using var store = stores.Open(StoreKind.Sqlite); // the rule is checked before either store writes
        store.AddRun("r", new RunConfig(), T0, name: "kept");
        var error = Assert.Throws<ArgumentException>(() => store.Rename("r", bad));
        Assert.StartsWith("name: must not", error.Message);
        var tooLong = Assert.Throws<ArgumentException>(() => store.Rename("r", new string('x', RunNames.MaxLength + 1)));
        Assert.StartsWith("name: must be at most 200 characters", tooLong.Message);
        Assert.True(store.Rename("r", new string('x', RunNames.MaxLength)));   // the limit itself is fine
        Assert.Equal(RunNames.MaxLength, store.GetSummary("r")!.Name!.Length);
    }

    [Theory, SqliteStore, PostgresStore]
    public void BulkDeleteAndRenameWorkWithAThousandRuns(StoreKind kind)
    {
        using var store = stores.Open(kind);
        var ids = Enumerable.Range(0, 1000).Select(i => $"run{i:D4}").ToArray();
        foreach (var id in ids)
        {
            store.AddRun(id, new RunConfig { Seed = int.Parse(id[3..]) }, T0);
            store.AppendEvents(id, [Event(id, 1, RunEventKind.Started), Event(id, 2, RunEventKind.Step)]);
        }
        Assert.Equal(1000, store.ListRuns().Count);
        Assert.Equal(1000, store.ListRuns(ids).Count);

        Assert.True(store.Rename("run0999", "the last one"));
        Assert.Equal(998, store.Delete(ids.Skip(1).Take(998)));

        Assert.Equal(["run0000", "run0999"], store.ListRuns().Select(r => r.Id).Order());
        Assert.Equal("the last one", store.GetSummary("run0999")!.DisplayName);
        Assert.Equal(2, store.GetEvents("run0000").Count);
        Assert.Empty(store.GetEvents("run0500"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void DeleteRemovesRunsAndTheirEventsSingleAndBulk(StoreKind kind)
    {
        using var store = stores.Open(kind);
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            store.AddRun(id, new RunConfig(), T0);
            store.AppendEvents(id, [Event(id, 1, RunEventKind.Started)]);
        }
        Assert.True(store.Delete("a"));
        Assert.False(store.Delete("a"));
        Assert.Equal(2, store.Delete(["b", "c", "nope"]));

        Assert.Equal(["d"], store.ListRuns().Select(r => r.Id));
        Assert.Empty(store.GetEvents("b"));
        Assert.Single(store.GetEvents("d"));
        Assert.Null(store.GetRun("a"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void SweepsKeepTheirRunsInPlanOrder(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("x", new RunConfig(), T0);
        store.AddRun("y", new RunConfig(), T0);
        store.AddRun("z", new RunConfig(), T0);
        store.AddSweep("s1", """{"param":"replayRatio"}""", ["x", "y"], T0, "ratio sweep");
        var sweep = store.GetSweep("s1")!;
        Assert.Equal(("ratio sweep", """{"param":"replayRatio"}"""), (sweep.Name, sweep.SpecJson));
        Assert.Equal(["x", "y"], sweep.RunIds);
        Assert.Equal(["s1", "s1", null], store.ListRuns(["x", "y", "z"]).Select(r => r.SweepId));
        Assert.Single(store.ListSweeps());
        Assert.Null(store.GetSweep("nope"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task ARecordedTrainingRunIsStoredWithEveryEventInFewBatches(StoreKind kind)
    {
        using var store = stores.Open(kind);
        using var run = new TrainingRun(new RunConfig { Strategy = "replay", ReplayRatio = 0.2 }, new DataSetCatalog());
        // A long interval forces batching: the whole run fits in a few transactions instead of one per event.
        var recording = store.Record(run, name: "recorded", flushInterval: TimeSpan.FromSeconds(1));
        run.Start();
        await run.Completion;
        await recording.Completion;

        var stored = store.GetRun(run.Id)!;
        var live = run.Events.Snapshot();
        Assert.Equal(RunStatus.Finished, stored.Summary.Status);
        Assert.Equal("recorded", stored.Summary.Name);
        Assert.Equal(live.Select(e => (e.Seq, e.Kind, e.Loss)), stored.Events.Select(e => (e.Seq, e.Kind, e.Loss)));
        Assert.Equal(run.Result!.AccuracyMatrix, stored.Result!.AccuracyMatrix);
        Assert.InRange(recording.Batches, 1, live.Count / 4);
    }

    [Theory, SqliteStore, PostgresStore]
    public void ASweepIsDeletedWithItsRunsOrLeavesThemAsOrdinaryRuns(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRuns([new NewRun("a1", new RunConfig(), T0), new NewRun("a2", new RunConfig(), T0)], new NewSweep("with", "{}", "gone", T0));
        store.AddRuns([new NewRun("b1", new RunConfig(), T0.AddSeconds(1))], new NewSweep("without", "{}", "kept", T0.AddSeconds(1)));
        store.AppendEvents("a1", [Event("a1", 1, RunEventKind.Started)]);
        Assert.Equal(["without", "with"], store.ListSweeps().Select(s => s.Id));
        Assert.Equal(["without"], store.ListSweeps(limit: 1).Select(s => s.Id));

        Assert.True(store.DeleteSweep("with", withRuns: true));
        Assert.True(store.DeleteSweep("without", withRuns: false));
        Assert.False(store.DeleteSweep("with", withRuns: true));

        var left = Assert.Single(store.ListRuns());
        Assert.Equal(("b1", null), (left.Id, left.SweepId));
        Assert.Empty(store.GetEvents("a1"));
        Assert.Empty(store.ListSweeps());
    }
}
