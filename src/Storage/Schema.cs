using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage;

/// <summary>
/// The database schema as an ordered list of migrations. Opening a store applies the ones newer than the file's
/// recorded version, each in its own transaction; add a migration at the end, never edit a shipped one.
/// </summary>
static class Schema
{
    static readonly string[] Migrations =
    [
        // 1: runs (one row per run, summary columns for the history grid) and their event history.
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            name TEXT,
            status TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER,
            config_json TEXT NOT NULL,
            result_json TEXT,
            error TEXT,
            sweep_id TEXT,
            average_accuracy REAL,
            forgetting REAL,
            backward_transfer REAL,
            duration_ms INTEGER,
            event_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_created ON runs (created_at DESC);
        CREATE INDEX runs_sweep ON runs (sweep_id) WHERE sweep_id IS NOT NULL;
        CREATE TABLE run_events (
            run_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        """,
        // 2: sweeps and repeats (a group of runs; the runs point back with sweep_id).
        """
        CREATE TABLE sweeps (
            id TEXT PRIMARY KEY,
            name TEXT,
            created_at INTEGER NOT NULL,
            spec_json TEXT NOT NULL,
            run_ids_json TEXT NOT NULL
        );
        """,
        // 3: one row the health check and start-up rewrite, to prove the file can be written.
        """
        CREATE TABLE health_probe (
            id INTEGER PRIMARY KEY,
            checked_at INTEGER NOT NULL
        );
        """,
        // 4: who submitted each run (runs from before ownership belong to the local user).
        """
        ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
        CREATE INDEX runs_owner ON runs (owner, created_at DESC);
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
            var current = Convert.ToInt32(check.ExecuteScalar());
            if (current > LatestVersion)
                throw new InvalidOperationException($"The database has schema version {current}, newer than this program's {LatestVersion}; use a newer build.");
            for (int version = current + 1; version <= LatestVersion; version++)
            {
                using var tx = connection.BeginTransaction();
                Execute(connection, Migrations[version - 1], tx);
                Execute(connection, $"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({version})", tx);
                tx.Commit();
            }
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
