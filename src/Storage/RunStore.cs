namespace ContinualLearning.Storage;

/// <summary>Opens the run store the settings ask for: PostgreSQL when a connection string is given, else SQLite.</summary>
public static class RunStore
{
    /// <summary>The setting (ConnectionStrings:Runs) that puts the history in PostgreSQL.</summary>
    public const string ConnectionStringName = "Runs";

    public const string InterruptedMessage = "The server stopped while this run was going; the curves show what was saved.";

    public const string NotPostgresMessage =
        "ConnectionStrings:Runs must be a PostgreSQL connection string such as Host=db.example;Port=5432;Username=cl;Password=…;Database=runs " +
        "(it could not be read as one, or names no Host). Leave it unset to keep the history in SQLite (ContinualLearning:DatabasePath).";

    /// <summary>The SQLite file at <paramref name="path"/> (see <see cref="SqliteRunStore.Open"/>).</summary>
    public static SqliteRunStore Open(string path) => SqliteRunStore.Open(path);

    /// <summary>
    /// PostgreSQL when <paramref name="connectionString"/> (ConnectionStrings:Runs) is set, else SQLite at
    /// <paramref name="sqlitePath"/>. Throws <see cref="RunStoreOpenException"/> with one message when the choice cannot be opened.
    /// </summary>
    /// <param name="leftGoing">What becomes of runs found queued or running (see <see cref="LeftGoing"/>): a single server
    /// marks the running ones interrupted and queues the queued ones again; a cluster's nodes change nothing (the queue
    /// grain owns queued runs and other nodes train the running ones).</param>
    public static IRunStore Open(string? connectionString, string sqlitePath, LeftGoing leftGoing = LeftGoing.Interrupt) =>
        string.IsNullOrWhiteSpace(connectionString) ? SqliteRunStore.Open(sqlitePath, leftGoing)
        : PostgresRunStore.IsPostgres(connectionString) ? PostgresRunStore.Open(connectionString, leftGoing)
        : throw new RunStoreOpenException(NotPostgresMessage);
}
