using System.Net;
using System.Net.Sockets;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage.Sql;
using Npgsql;

namespace ContinualLearning.Storage.Tests;

/// <summary>What only PostgreSQL does: several web nodes on one database, migrations they race, and the connection setting.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresRunStoreTests(PostgresServer postgres) : IDisposable
{
    readonly TestStores stores = new(postgres);
    public void Dispose() => stores.Dispose();

    static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    static RunEvent Event(string run, long seq, RunEventKind kind, string? message = null) =>
        new() { RunId = run, Seq = seq, Kind = kind, Time = T0.AddSeconds(seq), Step = seq, Loss = kind == RunEventKind.Step ? 1.0 / seq : null, Message = message };

    [PostgresFact]
    public void TwoWebNodesOnOneDatabaseSeeEachOthersRunsEventsRenamesAndDeletes()
    {
        var first = stores.Open(StoreKind.Postgres);
        var second = stores.Open(StoreKind.Postgres);

        first.AddRuns([new NewRun("a", new RunConfig { Seed = 1 }, T0, Owner: "student-a")], new NewSweep("s", "{}", "seeds", T0));
        first.AppendEvents("a", [Event("a", 1, RunEventKind.Started), Event("a", 2, RunEventKind.Step)]);
        second.AddRun("b", new RunConfig { Seed = 2 }, T0.AddSeconds(1));

        // Each node reads what the other wrote, at once: nothing is cached per process.
        Assert.Equal(["b", "a"], first.ListRuns().Select(r => r.Id));
        Assert.Equal(["b", "a"], second.ListRuns().Select(r => r.Id));
        var seen = second.GetRun("a")!;
        Assert.Equal((RunStatus.Running, "student-a", 2), (seen.Summary.Status, seen.Summary.Owner, seen.Summary.EventCount));
        Assert.Equal([1L, 2], seen.Events.Select(e => e.Seq));
        Assert.Equal(["a"], second.GetSweep("s")!.RunIds);

        first.AppendEvents("a", [Event("a", 3, RunEventKind.Finished)]);
        Assert.Equal(RunStatus.Finished, second.GetSummary("a")!.Status);
        Assert.True(second.Rename("a", "renamed on the second node"));
        Assert.Equal("renamed on the second node", first.GetSummary("a")!.Name);

        Assert.True(first.Delete("b"));
        Assert.Null(second.GetSummary("b"));
        Assert.Equal(AppendResult.UnknownRun, second.AppendEvents("b", [Event("b", 1, RunEventKind.Started)])); // deleted by the other node: dropped
        Assert.True(second.DeleteSweep("s", withRuns: true));
        Assert.Empty(first.ListRuns());
        Assert.Empty(first.ListSweeps());
    }

    [PostgresFact]
    public void A_cluster_node_opening_the_database_leaves_queued_and_running_runs_to_the_cluster()
    {
        var first = stores.Open(StoreKind.Postgres);
        first.AddRuns([new NewRun("queued", new RunConfig(), T0), new NewRun("running", new RunConfig(), T0)]);
        first.AppendEvents("running", [Event("running", 1, RunEventKind.Started)]);

        using (var clusterNode = RunStore.Open(stores.PostgresConnectionString, "unused.db", LeftGoing.Keep))
            Assert.Equal(0, clusterNode.InterruptedOnOpen);
        Assert.Equal([RunStatus.Queued, RunStatus.Running], first.ListGoing().Select(r => r.Status));

        using var singleServer = RunStore.Open(stores.PostgresConnectionString, "unused.db"); // a single server's restart marks them
        Assert.Equal(2, singleServer.InterruptedOnOpen);
        Assert.Empty(first.ListGoing());
    }

    [PostgresFact]
    public void NodesStartingTogetherMigrateTheSchemaOnce()
    {
        var connectionString = stores.PostgresConnectionString;
        var opened = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4)
            .Select(_ => PostgresRunStore.Open(connectionString)).ToArray();
        try
        {
            Assert.All(opened, store => Assert.Equal(Schema.LatestVersion, store.SchemaVersion()));
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_version", connection);
            Assert.Equal(1L, count.ExecuteScalar());
            opened[0].AddRun("r", new RunConfig(), T0);
            Assert.All(opened, store => Assert.Equal("r", Assert.Single(store.ListRuns()).Id));
        }
        finally
        {
            foreach (var store in opened) store.Dispose();
        }
    }

    [PostgresFact]
    public void AnOlderSchemaIsMigratedOnOpen()
    {
        // A version-1 database (runs and events, no sweeps table) as an older build would have left it.
        using (var connection = new NpgsqlConnection(stores.PostgresConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"""
                CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
                {Schema.Postgres[0]}
                INSERT INTO runs (id, status, created_at, config_json) VALUES ('old', 'finished', 0, '{"{}"}');
                """, connection);
            create.ExecuteNonQuery();
        }

        var store = stores.Open(StoreKind.Postgres);
        Assert.Equal(5, store.SchemaVersion());
        var old = Assert.Single(store.ListRuns());
        Assert.Equal(("old", "local", 0), (old.Id, old.Owner, store.InterruptedOnOpen));
        store.AddSweep("s", "{}", ["old"], T0);
        Assert.Equal(["old"], store.GetSweep("s")!.RunIds);
    }

    [PostgresFact]
    public void ARunAnotherNodesStartMarkedInterruptedComesBackWithItsNextBatchAndEndsWithoutTheNote()
    {
        var trainingNode = stores.Open(StoreKind.Postgres);
        trainingNode.AddRun("r", new RunConfig(), T0);
        trainingNode.AppendEvents("r", [Event("r", 1, RunEventKind.Started)]);

        var restarted = stores.Open(StoreKind.Postgres); // another node starting marks what it finds going as interrupted
        Assert.Equal(1, restarted.InterruptedOnOpen);
        Assert.Equal(RunStatus.Interrupted, restarted.GetSummary("r")!.Status);

        trainingNode.AppendEvents("r", [Event("r", 2, RunEventKind.Step)]);
        Assert.Equal(RunStatus.Running, restarted.GetSummary("r")!.Status);
        trainingNode.AppendEvents("r", [Event("r", 3, RunEventKind.Finished)]);
        var ended = restarted.GetSummary("r")!;
        Assert.Equal((RunStatus.Finished, null, 3), (ended.Status, ended.Error, ended.EventCount));
    }

    [PostgresFact]
    public void AMissingDatabaseIsRefusedNamingItAndWhatToSet()
    {
        var settings = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Database = "no_such_database", Password = "pw-not-shown" };
        var e = Assert.Throws<RunStoreOpenException>(() => RunStore.Open(settings.ToString(), stores.SqlitePath));
        Assert.StartsWith($"Cannot use the run database (PostgreSQL database no_such_database on 127.0.0.1:{settings.Port} as cl): the database does not exist", e.Message);
        Assert.Contains("ConnectionStrings:Runs", e.Message);
        Assert.DoesNotContain("pw-not-shown", e.Message);
        Assert.False(File.Exists(stores.SqlitePath)); // no silent fall-back to SQLite
    }

    [Fact]
    public void AnUnreachableServerIsRefusedNamingItWithoutThePassword()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0)) { listener.Start(); closedPort = ((IPEndPoint)listener.LocalEndpoint).Port; }
        var connectionString = $"Host=127.0.0.1;Port={closedPort};Username=cl;Password=s3cret-Passw0rd;Database=runs;Timeout=5";

        var e = Assert.Throws<RunStoreOpenException>(() => RunStore.Open(connectionString, stores.SqlitePath));
        Assert.StartsWith($"Cannot use the run database (PostgreSQL database runs on 127.0.0.1:{closedPort} as cl): the database server cannot be reached", e.Message);
        Assert.Contains("ConnectionStrings:Runs", e.Message);
        Assert.DoesNotContain("s3cret-Passw0rd", e.Message);
        Assert.InRange(e.Message.Length, 1, 1000);
    }

    [Theory]
    [InlineData("Data Source=runs.db;Password=s3cret-Passw0rd")]
    [InlineData("Username=cl;Database=runs;Password=s3cret-Passw0rd")]
    [InlineData("Host=db;Port=not-a-number;Password=s3cret-Passw0rd")]
    public void AConnectionStringThatIsNotPostgresIsRefusedSayingWhatItMustBe(string connectionString)
    {
        var e = Assert.Throws<RunStoreOpenException>(() => RunStore.Open(connectionString, stores.SqlitePath));
        Assert.Equal(RunStore.NotPostgresMessage, e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
    }

    [Fact]
    public void WithoutAConnectionStringTheHistoryIsTheSqliteFile()
    {
        using var store = RunStore.Open(connectionString: null, stores.SqlitePath);
        Assert.Equal(Path.GetFullPath(stores.SqlitePath), Assert.IsType<SqliteRunStore>(store).Path);
        using var blank = RunStore.Open(connectionString: " ", stores.SqlitePath);
        Assert.IsType<SqliteRunStore>(blank);
    }

    [PostgresFact]
    public void APostgresConnectionStringOpensThePostgresStore()
    {
        using var store = RunStore.Open(stores.PostgresConnectionString, stores.SqlitePath);
        Assert.IsType<PostgresRunStore>(store);
        Assert.StartsWith("PostgreSQL database t", store.Location);
        Assert.False(File.Exists(stores.SqlitePath));
    }
}
