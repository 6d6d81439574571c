using System.Data.Common;
using ContinualLearning.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage;

/// <summary>
/// Every run in one SQLite file (the default). WAL mode lets the history page read while recorders write. Opening the
/// store checks the file's integrity (a damaged file is moved aside and a fresh one started, see
/// <see cref="Quarantined"/>), proves it can write, and marks runs that were going when the last process died as
/// interrupted (<see cref="LeftGoing"/>), keeping the events they had written. One process owns the file.
/// </summary>
public sealed class SqliteRunStore : SqlRunStore
{
    readonly string connectionString;
    readonly QuarantinedDatabase? quarantined;

    SqliteRunStore(string path, QuarantinedDatabase? quarantined) : base(new SqlDialect.Sqlite())
    {
        Path = path;
        this.quarantined = quarantined;
        connectionString = ConnectionString(path);
    }

    public string Path { get; }
    public override string Location => Path;
    /// <summary>Set when the file failed its integrity check on open: it was moved aside and this store started empty.</summary>
    public override QuarantinedDatabase? Quarantined => quarantined;

    /// <summary>
    /// Opens (or creates) the database. Throws <see cref="RunStoreOpenException"/>, naming the file and what to do,
    /// when the folder cannot be created, the file is not a SQLite database, or it cannot be written. A SQLite file that
    /// fails <c>PRAGMA quick_check</c> is renamed to <c>NAME.damaged-UTCTIME</c> (with its -wal and -shm) and replaced
    /// by an empty database; <see cref="Quarantined"/> says so.
    /// </summary>
    /// <param name="leftGoing">What becomes of runs found queued or running: by default both are marked interrupted.</param>
    public static SqliteRunStore Open(string path, LeftGoing leftGoing = LeftGoing.Interrupt)
    {
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreOpenException($"Cannot create the folder {folder} for the run database ({e.Message}). " + FixHint, e);
        }
        if (!LooksLikeSqlite(full))
            throw new RunStoreOpenException($"The run database {full} is not a SQLite database (its first bytes are not a SQLite header); " +
                "nothing was changed. Move the file away, or set ContinualLearning:DatabasePath to another file.");

        QuarantinedDatabase? quarantined = null;
        if (IntegrityProblem(full) is { } problem)
        {
            quarantined = MoveAside(full, problem);
            if (IntegrityProblem(full) is { } again) // cannot happen for a fresh file, but never serve a damaged one
                throw new RunStoreOpenException($"The run database {full} is damaged ({again}) even after moving it aside. " + FixHint);
        }
        var store = new SqliteRunStore(full, quarantined);
        try
        {
            using var connection = new SqliteConnection(ConnectionString(full));
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL");
            store.Migrate(connection, Schema.Sqlite);
            store.InterruptedOnOpen = MarkInterrupted(connection, leftGoing);
            WriteProbe(connection); // a read-only file or folder, or a full disk, is found now rather than at the first run
            return store;
        }
        catch (Exception e) when (StoreErrors.IsStorageFault(e))
        {
            SqliteConnection.ClearAllPools();
            throw new RunStoreOpenException($"Cannot write the run database {full}: {StoreErrors.Reason(e)} ({e.Message}). " + FixHint, e);
        }
    }

    const string FixHint = "Set ContinualLearning:DatabasePath to a writable file, or fix the folder's permissions or free space.";

    /// <summary>A missing or empty file is fine (SQLite creates it); anything else must start with SQLite's header.</summary>
    static bool LooksLikeSqlite(string path)
    {
        if (!File.Exists(path)) return true;
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length == 0) return true;
            var header = new byte[16];
            return file.ReadAtLeast(header, 16, throwOnEndOfStream: false) == 16 && header.AsSpan().SequenceEqual("SQLite format 3\0"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreOpenException($"Cannot read the run database {path} ({e.Message}). " + FixHint, e);
        }
    }

    /// <summary>What <c>PRAGMA quick_check</c> found (shortened), or null when the file is sound or new.</summary>
    static string? IntegrityProblem(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            // Read-only: a damaged file is not written to (no checkpoint); a -wal left by a crash is still read and checked.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check(20)";
            using var reader = check.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read()) lines.Add(reader.GetString(0));
            return lines is ["ok"] ? null : Shorten(string.Join("; ", lines));
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB
        {
            return Shorten(e.Message);
        }
        catch (Exception e) when (StoreErrors.IsStorageFault(e))
        {
            throw new RunStoreOpenException($"Cannot open the run database {path}: {StoreErrors.Reason(e)} ({e.Message}). " + FixHint, e);
        }
    }

    static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Renames a damaged file and its -wal/-shm to NAME.damaged-UTCTIME(-wal/-shm) beside it.</summary>
    static QuarantinedDatabase MoveAside(string path, string problem)
    {
        SqliteConnection.ClearAllPools();
        var at = DateTimeOffset.UtcNow;
        var movedTo = $"{path}.damaged-{at:yyyyMMdd'T'HHmmss'Z'}";
        try
        {
            File.Move(path, movedTo);
            foreach (var suffix in new[] { "-wal", "-shm" })
                if (File.Exists(path + suffix)) File.Move(path + suffix, movedTo + suffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreOpenException($"The run database {path} is damaged ({problem}) and could not be moved aside ({e.Message}). " +
                "Restore it from a backup, or move it away and start again.", e);
        }
        return new QuarantinedDatabase(path, movedTo, problem, at);
    }

    static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();

    private protected override DbConnection Connect()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000");
        return connection;
    }

    static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Closes the pooled connections so the file is released (recordings still going will fail to write).</summary>
    public override void Dispose()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
