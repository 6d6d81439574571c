using Microsoft.Data.Sqlite;
using Npgsql;

namespace ContinualLearning.Storage;

/// <summary>
/// The run database cannot be written (or read) right now: disk full, read-only, locked, I/O error. Message is one
/// sentence for users (no paths); InnerException has the detail for the log. Writes that throw this stored nothing.
/// </summary>
public sealed class RunStoreUnavailableException(string reason, Exception inner)
    : Exception($"The run database cannot be written ({reason})", inner)
{
    /// <summary>What is wrong, in a few words ("the disk is full").</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// The run database cannot be opened at start-up. Message names the file, folder or server (never a password) and what to do about it; the server
/// does not start without its database.
/// </summary>
public sealed class RunStoreOpenException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A damaged database found at start-up and moved aside; a fresh one took its place.</summary>
/// <param name="MovedTo">Where the damaged file now is (its -wal and -shm beside it with the same suffix).</param>
/// <param name="Problem">What the integrity check said, shortened.</param>
public sealed record QuarantinedDatabase(string OriginalPath, string MovedTo, string Problem, DateTimeOffset At);

/// <summary>
/// A fault hook for tests (and drills): makes the store's writes fail as SQLite would with a full disk, without
/// filling one. Reads are not affected. Thread-safe.
/// </summary>
public sealed class StoreFaults
{
    const int SqliteFull = 13;
    int okBeforeFailing, failuresLeft;
    readonly Lock gate = new();

    /// <summary>The next <paramref name="count"/> writes (after <paramref name="after"/> that succeed) fail; default: all from now on.</summary>
    public void FailWrites(int count = int.MaxValue, int after = 0)
    {
        lock (gate) { okBeforeFailing = after; failuresLeft = count; }
    }

    /// <summary>Writes succeed again.</summary>
    public void Heal()
    {
        lock (gate) failuresLeft = 0;
    }

    /// <summary>Writes refused by this hook so far.</summary>
    public int FailedWrites { get; private set; }

    internal void BeforeWrite()
    {
        lock (gate)
        {
            if (failuresLeft <= 0) return;
            if (okBeforeFailing > 0) { okBeforeFailing--; return; }
            if (failuresLeft != int.MaxValue) failuresLeft--;
            FailedWrites++;
        }
        throw new SqliteException("SQLite Error 13: 'database or disk is full' (injected by StoreFaults).", SqliteFull);
    }
}

static class StoreErrors
{
    /// <summary>A few words for users about why the database refused (SQLite result codes, https://sqlite.org/rescode.html; PostgreSQL SQLSTATEs).</summary>
    public static string Reason(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 13 } => "the disk is full",
        SqliteException { SqliteErrorCode: 8 } => "it is read-only",
        SqliteException { SqliteErrorCode: 5 or 6 } => "it is locked by another program",
        SqliteException { SqliteErrorCode: 14 } => "the file cannot be opened",
        SqliteException { SqliteErrorCode: 10 } => "a disk input/output error",
        SqliteException { SqliteErrorCode: 11 or 26 } => "the file is damaged",
        SqliteException { SqliteErrorCode: 3 or 23 } => "permission denied",
        PostgresException p => PostgresReason(p.SqlState),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException } or NpgsqlException { IsTransient: true } =>
            "the database server cannot be reached",
        IOException or UnauthorizedAccessException => "a file system error",
        _ => "an unexpected storage error",
    };

    static string PostgresReason(string sqlState) => sqlState switch
    {
        "53100" => "the disk is full",
        "25006" => "it is read-only",
        "28P01" or "28000" => "the login was refused",
        "3D000" => "the database does not exist",
        "42501" => "permission denied",
        "53300" => "the server has too many connections",
        "55P03" or "40P01" => "it is locked by another program",
        _ when sqlState.StartsWith("57P", StringComparison.Ordinal) => "the database server is shutting down or starting",
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) => "the database server cannot be reached",
        _ => "an unexpected storage error",
    };

    public static bool IsStorageFault(Exception e) => e is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException;
}
