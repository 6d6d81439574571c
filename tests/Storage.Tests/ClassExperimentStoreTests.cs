using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Storage.Sql;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ContinualLearning.Storage.Tests;

/// <summary>Class experiments in both stores: migration 5, publish, join only while open, close, and two web nodes on one PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public class ClassExperimentStoreTests(PostgresServer postgres) : IDisposable
{
    readonly TestStores stores = new(postgres);
    public void Dispose() => stores.Dispose();

    static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    static StoredExperiment Experiment(string id = "c1") =>
        new(id, "Replay trade-off", "teacher", T0, null, new RunConfig { Strategy = "replay", Seed = 7 }, "replayRatio", 0, 0.5, 0.1);

    [Theory, SqliteStore, PostgresStore]
    public void AnExperimentIsStoredJoinedWhileOpenAndClosed(StoreKind kind)
    {
        var store = stores.Open(kind);
        store.AddExperiment(Experiment());
        var read = store.GetExperiment("c1")!;
        Assert.Equal(("Replay trade-off", "teacher", T0, "replayRatio", 0.0, 0.5, 0.1, true), (read.Name, read.Owner, read.CreatedAt, read.Param, read.Min, read.Max, read.Step, read.IsOpen));
        Assert.Equal(("replay", 7), (read.Config.Strategy, read.Config.Seed));
        Assert.Null(store.GetExperiment("c2"));

        store.AddRuns([new NewRun("r1", new RunConfig(), T0, Owner: "ann"), new NewRun("r2", new RunConfig(), T0, Owner: "ben")]);
        Assert.True(store.JoinExperiment("c1", "r1", 0.3, T0.AddSeconds(1)));
        Assert.True(store.JoinExperiment("c1", "r2", 0.1, T0.AddSeconds(2)));
        Assert.False(store.JoinExperiment("c2", "r1", 0.3, T0)); // no such experiment
        Assert.Equal([("r1", 0.3), ("r2", 0.1)], store.ExperimentRuns("c1").Select(r => (r.RunId, r.Value)));

        Assert.True(store.CloseExperiment("c1", T0.AddMinutes(5)));
        Assert.True(store.CloseExperiment("c1", T0.AddMinutes(9))); // again: the first close time stays
        Assert.Equal(T0.AddMinutes(5), store.GetExperiment("c1")!.ClosedAt);
        store.AddRun("r3", new RunConfig(), T0);
        Assert.False(store.JoinExperiment("c1", "r3", 0.2, T0.AddMinutes(6))); // closed: no new runs
        Assert.Equal(2, store.ExperimentRuns("c1").Count);
        Assert.False(store.CloseExperiment("c2", T0));

        // A deleted run leaves the experiment's curve with it.
        Assert.True(store.Delete("r1"));
        Assert.Equal(["r2"], store.ExperimentRuns("c1").Select(r => r.RunId));
    }

    [Theory, SqliteStore, PostgresStore]
    public void ExperimentsAndRecentRunsAreListedNewestFirstAndBounded(StoreKind kind)
    {
        var store = stores.Open(kind);
        for (int i = 0; i < 4; i++) store.AddExperiment(Experiment($"c{i}") with { CreatedAt = T0.AddMinutes(i) });
        Assert.Equal(["c3", "c2"], store.ListExperiments(2).Select(e => e.Id));

        store.AddRuns([.. Enumerable.Range(0, 5).Select(i => new NewRun($"r{i}", new RunConfig(), T0.AddHours(-3 + i)))]);
        // Runs from T0-3h to T0+1h: since T0-1h are r2 (T0-1h), r3, r4.
        Assert.Equal(["r4", "r3", "r2"], store.ListRecentRuns(T0.AddHours(-1), 10).Select(r => r.Id));
        Assert.Equal(["r4", "r3"], store.ListRecentRuns(T0.AddHours(-1), 2).Select(r => r.Id));
    }

    [Fact]
    public void AVersion4SqliteFileIsMigratedToClassExperimentsKeepingItsRuns()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(stores.SqlitePath)!);
        using (var connection = new SqliteConnection($"Data Source={stores.SqlitePath}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);"
                + string.Concat(Schema.Sqlite.Take(4))
                + "INSERT INTO runs (id, status, created_at, config_json, owner) VALUES ('old', 'finished', 0, '{}', 'ann');";
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        using var store = stores.Open(StoreKind.Sqlite);
        Assert.Equal(5, store.SchemaVersion());
        Assert.Equal(("old", "ann"), (store.ListRuns().Single().Id, store.ListRuns().Single().Owner));
        store.AddExperiment(Experiment());
        Assert.True(store.JoinExperiment("c1", "old", 0.2, T0));
        Assert.Equal(0.2, store.ExperimentRuns("c1").Single().Value);
    }

    [PostgresFact]
    public void AVersion4PostgresDatabaseIsMigratedAndTwoNodesShareOneExperiment()
    {
        using (var connection = new NpgsqlConnection(stores.PostgresConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);"
                + string.Concat(Schema.Postgres.Take(4)), connection);
            create.ExecuteNonQuery();
        }
        var board = stores.Open(StoreKind.Postgres);
        var otherNode = stores.Open(StoreKind.Postgres);
        Assert.Equal(5, board.SchemaVersion());

        board.AddExperiment(Experiment());
        otherNode.AddRuns([new NewRun("r1", new RunConfig(), T0, Owner: "ann")]);
        Assert.True(otherNode.JoinExperiment("c1", "r1", 0.4, T0)); // a student's run, joined on another node
        var result = RunResult.From(new RunConfig(), [[90, 0], [30, 88]], 100, new DataSetInfo("mnist-10k", 8000, 2000, true));
        otherNode.AppendEvents("r1", [new RunEvent { RunId = "r1", Seq = 1, Kind = RunEventKind.Finished, Time = T0, Result = result }]);

        var joined = board.ExperimentRuns("c1").Single();
        Assert.Equal(("r1", 0.4), (joined.RunId, joined.Value));
        Assert.Equal(30, board.GetResults(["r1"])["r1"].AccuracyMatrix[^1][0]);
        Assert.True(otherNode.CloseExperiment("c1", T0));
        Assert.False(board.GetExperiment("c1")!.IsOpen);
    }
}
