using System.Data.Common;
using Dapper;

namespace ContinualLearning.Storage.Sql;

/// <summary>
/// The database schema as an ordered list of migrations, one list per database with the same versions side by side.
/// Opening a store applies the ones newer than the database's recorded version, each in its own transaction; add a
/// migration at the end of both lists, never edit a shipped one.
/// </summary>
static class Schema
{
    public static readonly string[] Sqlite =
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
        // 5: class experiments (a fixed config and one free parameter the students choose) and the runs that joined each.
        """
        CREATE TABLE class_experiments (
            id TEXT PRIMARY KEY,
            name TEXT,
            owner TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            closed_at INTEGER,
            config_json TEXT NOT NULL,
            param TEXT NOT NULL,
            min_value REAL NOT NULL,
            max_value REAL NOT NULL,
            step REAL NOT NULL
        );
        CREATE INDEX class_experiments_created ON class_experiments (created_at DESC);
        CREATE TABLE class_experiment_runs (
            run_id TEXT PRIMARY KEY,
            experiment_id TEXT NOT NULL,
            value REAL NOT NULL,
            joined_at INTEGER NOT NULL
        );
        CREATE INDEX class_experiment_runs_experiment ON class_experiment_runs (experiment_id, joined_at);
        """,
    ];

    /// <summary>
    /// The same tables in PostgreSQL: BIGINT for SQLite's INTEGER (Unix milliseconds, counts), DOUBLE PRECISION for
    /// REAL, and ids compared byte by byte (COLLATE "C") so lists sort as they do in SQLite.
    /// </summary>
    public static readonly string[] Postgres =
    [
        """
        CREATE TABLE runs (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            ended_at BIGINT,
            config_json TEXT NOT NULL,
            result_json TEXT,
            error TEXT,
            sweep_id TEXT COLLATE "C",
            average_accuracy DOUBLE PRECISION,
            forgetting DOUBLE PRECISION,
            backward_transfer DOUBLE PRECISION,
            duration_ms BIGINT,
            event_count BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_created ON runs (created_at DESC);
        CREATE INDEX runs_sweep ON runs (sweep_id) WHERE sweep_id IS NOT NULL;
        CREATE TABLE run_events (
            run_id TEXT COLLATE "C" NOT NULL,
            seq BIGINT NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        """,
        """
        CREATE TABLE sweeps (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT,
            created_at BIGINT NOT NULL,
            spec_json TEXT NOT NULL,
            run_ids_json TEXT NOT NULL
        );
        """,
        """
        CREATE TABLE health_probe (
            id INTEGER PRIMARY KEY,
            checked_at BIGINT NOT NULL
        );
        """,
        """
        ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
        CREATE INDEX runs_owner ON runs (owner, created_at DESC);
        """,
        """
        CREATE TABLE class_experiments (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT,
            owner TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            closed_at BIGINT,
            config_json TEXT NOT NULL,
            param TEXT NOT NULL,
            min_value DOUBLE PRECISION NOT NULL,
            max_value DOUBLE PRECISION NOT NULL,
            step DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX class_experiments_created ON class_experiments (created_at DESC);
        CREATE TABLE class_experiment_runs (
            run_id TEXT COLLATE "C" PRIMARY KEY,
            experiment_id TEXT COLLATE "C" NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            joined_at BIGINT NOT NULL
        );
        CREATE INDEX class_experiment_runs_experiment ON class_experiment_runs (experiment_id, joined_at);
        """,
    ];

    public static int LatestVersion => Sqlite.Length;

    /// <summary>
    /// Applies the migrations newer than the recorded version, one transaction each. With a lock (PostgreSQL), each
    /// transaction takes it first and reads the version again, so nodes starting at once never apply one twice.
    /// </summary>
    public static void Migrate(DbConnection connection, IReadOnlyList<string> migrations, string? migrationLock)
    {
        while (true)
        {
            using var tx = connection.BeginTransaction();
            if (migrationLock is not null) connection.Execute(migrationLock, transaction: tx);
            connection.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", transaction: tx);
            int current = connection.ExecuteScalar<int>(SharedSql.SchemaVersion, transaction: tx);
            if (current > migrations.Count)
                throw new InvalidOperationException($"The database has schema version {current}, newer than this program's {migrations.Count}; use a newer build.");
            if (current == migrations.Count)
            {
                tx.Commit();
                return;
            }
            connection.Execute(migrations[current], transaction: tx);
            connection.Execute("DELETE FROM schema_version", transaction: tx);
            connection.Execute("INSERT INTO schema_version (version) VALUES (@Version)", new { Version = current + 1 }, tx);
            tx.Commit();
        }
    }
}
