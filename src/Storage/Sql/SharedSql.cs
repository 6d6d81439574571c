namespace ContinualLearning.Storage.Sql;

/// <summary>
/// The SQL both stores run as it is: SQLite and PostgreSQL agree on all of it (parameters as @Name through Dapper,
/// upserts with ON CONFLICT). What differs is in <see cref="SqlDialect"/>, side by side.
/// </summary>
static class SharedSql
{
    public const string RunColumns = """
        id AS Id, name AS Name, status AS Status, created_at AS CreatedAt, started_at AS StartedAt, ended_at AS EndedAt,
        config_json AS ConfigJson, average_accuracy AS AverageAccuracy, forgetting AS Forgetting,
        backward_transfer AS BackwardTransfer, duration_ms AS DurationMs, error AS Error, sweep_id AS SweepId,
        event_count AS EventCount, owner AS Owner
        """;

    public const string RunColumnsWithResult = RunColumns + ", result_json AS ResultJson";

    public const string ListRuns = $"SELECT {RunColumns} FROM runs ORDER BY created_at DESC, id";
    public const string ListGoing = $"SELECT {RunColumns} FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, id";
    public const string GetSummary = $"SELECT {RunColumns} FROM runs WHERE id = @Id";
    public const string GetRunWithResult = $"SELECT {RunColumnsWithResult} FROM runs WHERE id = @Id";
    /// <summary>Whether the run's end is stored and how many events it holds (<see cref="RunProgress"/>); no row when the run is not stored. Followed by the dialect's <see cref="SqlDialect.RowLock"/>.</summary>
    public const string RunProgress = "SELECT CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END AS Ended, event_count AS EventCount FROM runs WHERE id = @Id";

    public const string InsertRun = """
        INSERT INTO runs (id, name, status, created_at, config_json, sweep_id, owner)
        VALUES (@Id, @Name, 'queued', @CreatedAt, @ConfigJson, @SweepId, @Owner)
        """;

    /// <summary>Runs stored with exactly this config (a run's default name is numbered after them).</summary>
    public const string CountSameConfig = "SELECT COUNT(*) FROM runs WHERE config_json = @ConfigJson";

    public const string InsertEvent = "INSERT INTO run_events (run_id, seq, json) VALUES (@RunId, @Seq, @Json) ON CONFLICT (run_id, seq) DO NOTHING";
    public const string GetEvents = "SELECT json FROM run_events WHERE run_id = @Id AND seq >= @From ORDER BY seq";

    // The pieces of the UPDATE that follows a batch of events (SqlRunStore.UpdateAfterEvents puts them together).
    public const string KeepHighestEventCount = "event_count = CASE WHEN event_count > @Count THEN event_count ELSE @Count END";
    /// <summary>A batch of events means the run goes: also brings back a run another node's start-up marked interrupted.</summary>
    public const string RunningUnlessEnded = "status = CASE WHEN status IN ('queued', 'interrupted') THEN 'running' ELSE status END";
    public const string Started = "started_at = @StartedAt";
    /// <summary>The end: status, time and error (null unless failed, so an earlier "interrupted" note goes).</summary>
    public const string Ended = "status = @Status, ended_at = @EndedAt, error = @Error";
    public const string WithResult = "result_json = @ResultJson, average_accuracy = @AverageAccuracy, forgetting = @Forgetting, " +
        "backward_transfer = @BackwardTransfer, duration_ms = @DurationMs";

    public const string MarkInterrupted = "UPDATE runs SET status = 'interrupted', error = COALESCE(error, @Message) WHERE status IN ('queued', 'running')";
    public const string MarkRunningInterrupted = "UPDATE runs SET status = 'interrupted', error = COALESCE(error, @Message) WHERE status = 'running'";

    public const string Rename = "UPDATE runs SET name = @Name WHERE id = @Id";
    public const string DeleteEvents = "DELETE FROM run_events WHERE run_id = @Id";
    public const string DeleteRun = "DELETE FROM runs WHERE id = @Id";

    public const string SweepColumns = "id AS Id, name AS Name, created_at AS CreatedAt, spec_json AS SpecJson, run_ids_json AS RunIdsJson";
    public const string InsertSweep = "INSERT INTO sweeps (id, name, created_at, spec_json, run_ids_json) VALUES (@Id, @Name, @CreatedAt, @SpecJson, @RunIdsJson)";
    public const string TagRun = "UPDATE runs SET sweep_id = @SweepId WHERE id = @Id";
    public const string GetSweep = $"SELECT {SweepColumns} FROM sweeps WHERE id = @Id";
    public const string ListSweeps = $"SELECT {SweepColumns} FROM sweeps ORDER BY created_at DESC, id";
    public const string ListNewestSweeps = $"SELECT {SweepColumns} FROM sweeps ORDER BY created_at DESC, id LIMIT @Limit";
    public const string DeleteSweepEvents = "DELETE FROM run_events WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = @Id)";
    public const string DeleteSweepRuns = "DELETE FROM runs WHERE sweep_id = @Id";
    public const string UntagSweepRuns = "UPDATE runs SET sweep_id = NULL WHERE sweep_id = @Id";
    public const string DeleteSweep = "DELETE FROM sweeps WHERE id = @Id";

    public const string SchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
    public const string ProbeWrite = "INSERT INTO health_probe (id, checked_at) VALUES (1, @Now) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
}

/// <summary>What the two databases spell differently; one instance per store.</summary>
abstract class SqlDialect
{
    /// <summary>A condition "column is one of the list in parameter @name".</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>Taken at the start of each migration transaction, so nodes starting together migrate one at a time; null when one process owns the database.</summary>
    public abstract string? MigrationLock { get; }

    /// <summary>Taken before numbering new runs' names, so two nodes adding identical runs at once number them apart;
    /// null where a write transaction already excludes other writers (SQLite's BEGIN IMMEDIATE).</summary>
    public abstract string? NamingLock { get; }

    /// <summary>
    /// Appended to a SELECT of a run's row in a write transaction, so two writers of the same run's end take turns (the
    /// first stored end wins); empty where a write transaction already excludes other writers (SQLite's BEGIN IMMEDIATE).
    /// </summary>
    public abstract string RowLock { get; }

    public sealed class Sqlite : SqlDialect
    {
        // Dapper expands a list parameter into (@Ids1, @Ids2, ...).
        public override string InList(string column, string parameter) => $"{column} IN @{parameter}";
        public override string? MigrationLock => null;
        public override string? NamingLock => null;
        public override string RowLock => "";
    }

    public sealed class Postgres : SqlDialect
    {
        // Dapper passes a list to Npgsql as one array parameter.
        public override string InList(string column, string parameter) => $"{column} = ANY(@{parameter})";
        public override string? MigrationLock => "SELECT pg_advisory_xact_lock(7310252611)";
        public override string? NamingLock => "SELECT pg_advisory_xact_lock(7310252612)";
        public override string RowLock => " FOR UPDATE";
    }
}
