using System.Data.Common;
using ContinualLearning.Storage.Sql;
using Dapper;
using Npgsql;

namespace ContinualLearning.Storage;

/// <summary>
/// Every run in a PostgreSQL database, which several web nodes can share: nothing is cached in the process, so each
/// node's history shows every node's runs. Same schema versions, same SQL and the same behaviour as
/// <see cref="SqliteRunStore"/>, less what only a file has (integrity check and quarantine, WAL). Opening migrates the
/// schema (nodes starting together take turns), proves it can write, and (a single server) marks runs left going as
/// interrupted; a run that is in fact still going on another node turns back to running with its next batch of events,
/// and its end is stored as usual.
/// </summary>
public sealed class PostgresRunStore : SqlRunStore
{
    readonly NpgsqlDataSource dataSource;

    PostgresRunStore(NpgsqlDataSource dataSource, string location) : base(new SqlDialect.Postgres())
    {
        this.dataSource = dataSource;
        Location = location;
    }

    /// <summary>"PostgreSQL database runs on db.example:5432 as cl": no password, ever.</summary>
    public override string Location { get; }

    /// <summary>
    /// Connects, migrates and checks that the database can be written. Throws <see cref="RunStoreOpenException"/> with
    /// one message naming the server, database and user (never the password), the cause and what to do.
    /// </summary>
    /// <param name="leftGoing">What becomes of runs found queued or running (see <see cref="LeftGoing"/>): nothing, in a cluster.</param>
    public static PostgresRunStore Open(string connectionString, LeftGoing leftGoing = LeftGoing.Interrupt)
    {
        var settings = Parse(connectionString);
        var location = Describe(settings);
        var dataSource = NpgsqlDataSource.Create(settings);
        var store = new PostgresRunStore(dataSource, location);
        try
        {
            using var connection = dataSource.OpenConnection();
            store.Migrate(connection, Schema.Postgres);
            store.InterruptedOnOpen = MarkInterrupted(connection, leftGoing);
            WriteProbe(connection);
            return store;
        }
        catch (Exception e) when (StoreErrors.IsStorageFault(e))
        {
            dataSource.Dispose();
            var detail = Redact(Innermost(e), settings.Password);
            throw new RunStoreOpenException($"Cannot use the run database ({location}): {StoreErrors.Reason(e)} ({detail}). " +
                "Check ConnectionStrings:Runs, that the server runs and can be reached from here, and that the user may create tables " +
                "in that database; or remove ConnectionStrings:Runs to keep the history in SQLite.", e);
        }
    }

    /// <summary>Whether a connection string is meant for this store: it parses as Npgsql's and names a host.</summary>
    public static bool IsPostgres(string connectionString)
    {
        try { return new NpgsqlConnectionStringBuilder(connectionString).Host is { Length: > 0 }; }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException) { return false; }
    }

    static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            if (settings.Host is { Length: > 0 }) return settings;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message can quote a fragment of the string, which may be part of a password: not repeated.
        }
        throw new RunStoreOpenException(RunStore.NotPostgresMessage);
    }

    static string Describe(NpgsqlConnectionStringBuilder settings) =>
        $"PostgreSQL database {settings.Database ?? settings.Username ?? "(default)"} on {settings.Host}:{settings.Port}" +
        (settings.Username is { Length: > 0 } user ? $" as {user}" : "");

    static string Innermost(Exception e)
    {
        var messages = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (!messages.Contains(inner.Message)) messages.Add(inner.Message);
        var text = string.Join(": ", messages);
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    /// <summary>Npgsql never puts the password in a message; this makes sure of it.</summary>
    static string Redact(string text, string? password) =>
        string.IsNullOrEmpty(password) ? text : text.Replace(password, "***", StringComparison.Ordinal);

    private protected override DbConnection Connect() => dataSource.OpenConnection();

    /// <summary>All of a batch's events in one statement (arrays unnested), instead of one round trip per event.</summary>
    private protected override void InsertEvents(DbConnection connection, DbTransaction tx, IReadOnlyList<EventRow> events) =>
        connection.Execute("""
            INSERT INTO run_events (run_id, seq, json)
            SELECT @RunId, seq, json FROM unnest(@Seqs, @Jsons) AS batch (seq, json)
            ON CONFLICT (run_id, seq) DO NOTHING
            """, new { events[0].RunId, Seqs = events.Select(e => e.Seq).ToArray(), Jsons = events.Select(e => e.Json).ToArray() }, tx);

    public override void Dispose() => dataSource.Dispose();
}
