using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage;

/// <summary>
/// Every run, kept in one SQLite file: config, status, timestamps, result and the event history.
/// Thread-safe: each operation takes its own (pooled) connection. WAL mode lets the history page read while
/// recorders write. Opening the store checks the file's integrity (a damaged file is moved aside and a fresh one
/// started, see <see cref="Quarantined"/>), proves it can write, and marks runs that were queued or running when the
/// last process died as interrupted, keeping the events they had written. A write that fails throws
/// <see cref="RunStoreUnavailableException"/> and changes nothing (each write is one transaction).
/// </summary>
public sealed class RunStore : IDisposable
{
    public const string InterruptedMessage = "The server stopped while this run was going; the curves show what was saved.";

    readonly string connectionString;

    RunStore(string path, int interrupted, QuarantinedDatabase? quarantined)
    {
        Path = path;
        InterruptedOnOpen = interrupted;
        Quarantined = quarantined;
        connectionString = ConnectionString(path);
    }

    public string Path { get; }
    /// <summary>How many runs were found queued or running on open, and marked interrupted.</summary>
    public int InterruptedOnOpen { get; }
    /// <summary>Set when the file failed its integrity check on open: it was moved aside and this store started empty.</summary>
    public QuarantinedDatabase? Quarantined { get; }
    /// <summary>Test hook: make writes fail on demand (see <see cref="StoreFaults"/>).</summary>
    public StoreFaults Faults { get; } = new();

    /// <summary>
    /// Opens (or creates) the database. Throws <see cref="RunStoreOpenException"/>, naming the file and what to do,
    /// when the folder cannot be created, the file is not a SQLite database, or it cannot be written. A SQLite file that
    /// fails <c>PRAGMA quick_check</c> is renamed to <c>NAME.damaged-UTCTIME</c> (with its -wal and -shm) and replaced
    /// by an empty database; <see cref="Quarantined"/> says so.
    /// </summary>
    public static RunStore Open(string path)
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
        try
        {
            using var connection = new SqliteConnection(ConnectionString(full));
            connection.Open();
            Schema.Execute(connection, "PRAGMA journal_mode=WAL");
            Schema.Migrate(connection);
            using var mark = connection.CreateCommand();
            mark.CommandText = "UPDATE runs SET status = 'interrupted', error = COALESCE(error, $message) WHERE status IN ('queued', 'running')";
            mark.Parameters.AddWithValue("$message", InterruptedMessage);
            int interrupted = mark.ExecuteNonQuery();
            WriteProbe(connection); // a read-only file or folder, or a full disk, is found now rather than at the first run
            return new RunStore(full, interrupted, quarantined);
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

    SqliteConnection Connect()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
        Schema.Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000");
        return connection;
    }

    /// <summary>Every write goes through here: the fault hook, then one connection; storage faults become <see cref="RunStoreUnavailableException"/>.</summary>
    T Write<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            Faults.BeforeWrite();
            using var connection = Connect();
            return work(connection);
        }
        catch (Exception e) when (StoreErrors.IsStorageFault(e))
        {
            throw new RunStoreUnavailableException(StoreErrors.Reason(e), e);
        }
    }

    /// <summary>Health probe: one read and one small write in a transaction. Throws <see cref="RunStoreUnavailableException"/>.</summary>
    public void Probe()
    {
        Write(connection =>
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT MAX(version) FROM schema_version";
            read.ExecuteScalar();
            WriteProbe(connection);
            return 0;
        });
    }

    static void WriteProbe(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction();
        using var upsert = connection.CreateCommand();
        upsert.Transaction = tx;
        upsert.CommandText = "INSERT INTO health_probe (id, checked_at) VALUES (1, $now) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
        upsert.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        upsert.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>Stores a run and starts writing its events as they come, in batches (one transaction per batch).</summary>
    public RunRecording Record(TrainingRun run, string? name = null, string? sweepId = null, TimeSpan? flushInterval = null)
    {
        AddRun(run.Id, run.Config, run.CreatedAt, name, sweepId);
        return Follow(run, flushInterval);
    }

    /// <summary>Starts writing the events of a run already added (<see cref="AddRuns"/>), in batches.</summary>
    public RunRecording Follow(TrainingRun run, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default) =>
        Follow(run.Events, flushInterval, retryDelays, stop);

    /// <summary>Starts writing an event log of a run already added, whoever fills it (a run here, or one hosted elsewhere).</summary>
    public RunRecording Follow(RunEventLog log, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default) =>
        new(this, log, flushInterval ?? RunRecording.DefaultFlushInterval, retryDelays ?? RunRecording.DefaultRetryDelays, stop);

    /// <summary>Adds a queued run with no events yet.</summary>
    public void AddRun(string id, RunConfig config, DateTimeOffset createdAt, string? name = null, string? sweepId = null) =>
        AddRuns([new NewRun(id, config, createdAt, name)], sweepId is null ? null : new NewSweep(sweepId, null, null, createdAt));

    /// <summary>
    /// Adds queued runs, and the sweep they form when given, in one transaction: all are stored or none
    /// (throws <see cref="RunStoreUnavailableException"/>). A sweep with a null spec only tags the runs (its row exists).
    /// </summary>
    public void AddRuns(IReadOnlyList<NewRun> runs, NewSweep? sweep = null) => Write(connection =>
    {
        using var tx = connection.BeginTransaction();
        if (sweep is { SpecJson: not null }) InsertSweep(connection, tx, sweep.Id, sweep.SpecJson, runs.Select(r => r.Id).ToArray(), sweep.CreatedAt, sweep.Name);
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO runs (id, name, status, created_at, config_json, sweep_id, owner)
            VALUES ($id, $name, 'queued', $created, $config, $sweep, $owner)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var created = insert.Parameters.Add("$created", SqliteType.Integer);
        var config = insert.Parameters.Add("$config", SqliteType.Text);
        var owner = insert.Parameters.Add("$owner", SqliteType.Text);
        insert.Parameters.AddWithValue("$sweep", (object?)sweep?.Id ?? DBNull.Value);
        foreach (var run in runs)
        {
            id.Value = run.Id;
            name.Value = (object?)run.Name ?? DBNull.Value;
            created.Value = run.CreatedAt.ToUnixTimeMilliseconds();
            config.Value = JsonSerializer.Serialize(run.Config, EngineJson.Options);
            owner.Value = run.Owner;
            insert.ExecuteNonQuery();
        }
        tx.Commit();
        return 0;
    });

    /// <summary>
    /// Appends a batch of a run's events in one transaction and moves the run's status along (started → running,
    /// terminal event → finished/failed/cancelled with the result). Events already stored are skipped, so a batch
    /// can be retried. Returns false when the run is not in the store (e.g. deleted while it ran).
    /// </summary>
    public bool AppendEvents(string runId, IReadOnlyList<RunEvent> events) =>
        events.Count == 0 || Write(connection => AppendEvents(connection, runId, events));

    static bool AppendEvents(SqliteConnection connection, string runId, IReadOnlyList<RunEvent> events)
    {
        using var tx = connection.BeginTransaction();
        using (var exists = connection.CreateCommand())
        {
            exists.Transaction = tx;
            exists.CommandText = "SELECT 1 FROM runs WHERE id = $id";
            exists.Parameters.AddWithValue("$id", runId);
            if (exists.ExecuteScalar() is null) return false;
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT OR IGNORE INTO run_events (run_id, seq, json) VALUES ($run, $seq, $json)";
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var json = insert.Parameters.Add("$json", SqliteType.Text);
            insert.Parameters.AddWithValue("$run", runId);
            insert.Prepare();
            foreach (var e in events)
            {
                seq.Value = e.Seq;
                json.Value = EventJson(e);
                insert.ExecuteNonQuery();
            }
        }
        using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.Parameters.AddWithValue("$id", runId);
            update.Parameters.AddWithValue("$count", events[^1].Seq);
            var sets = new List<string> { "event_count = MAX(event_count, $count)" };
            if (events.FirstOrDefault(e => e.Kind == RunEventKind.Started) is { } started)
            {
                sets.Add("status = CASE WHEN status IN ('queued', 'interrupted') THEN 'running' ELSE status END");
                sets.Add("started_at = $started");
                update.Parameters.AddWithValue("$started", started.Time.ToUnixTimeMilliseconds());
            }
            if (events.FirstOrDefault(e => e.IsTerminal) is { } last)
            {
                sets.Add("status = $status");
                sets.Add("ended_at = $ended");
                update.Parameters.AddWithValue("$status", StatusText(last.Kind switch
                {
                    RunEventKind.Finished => RunStatus.Finished,
                    RunEventKind.Cancelled => RunStatus.Cancelled,
                    _ => RunStatus.Failed,
                }));
                update.Parameters.AddWithValue("$ended", last.Time.ToUnixTimeMilliseconds());
                if (last.Kind == RunEventKind.Failed) { sets.Add("error = $error"); update.Parameters.AddWithValue("$error", (object?)last.Message ?? DBNull.Value); }
                if (last.Result is { } r)
                {
                    sets.AddRange(["result_json = $result", "average_accuracy = $avg", "forgetting = $forgetting", "backward_transfer = $bwt", "duration_ms = $duration"]);
                    update.Parameters.AddWithValue("$result", (object?)Json(r) ?? DBNull.Value);
                    update.Parameters.AddWithValue("$avg", r.AverageAccuracy);
                    update.Parameters.AddWithValue("$forgetting", r.Forgetting);
                    update.Parameters.AddWithValue("$bwt", r.BackwardTransfer);
                    update.Parameters.AddWithValue("$duration", r.DurationMs);
                }
            }
            // The status CASE must not override a terminal status set in the same batch: terminal goes last.
            update.CommandText = $"UPDATE runs SET {string.Join(", ", sets)} WHERE id = $id";
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return true;
    }

    /// <summary>
    /// An event as stored. One that cannot be serialised (a non-finite number the engine let through) is stored without its
    /// measurements and says so, rather than leaving the run unfinished in the database.
    /// </summary>
    static string EventJson(RunEvent e) => Json(e) ?? JsonSerializer.Serialize(e with
    {
        Loss = null, Accuracies = null, Predictions = null, GeneratedImages = null, Plan = null, Result = null,
        Message = "This event's measurements could not be stored (not a finite number).",
    }, EngineJson.Options);

    static string? Json<T>(T value)
    {
        try { return JsonSerializer.Serialize(value, EngineJson.Options); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or JsonException) { return null; }
    }

    const string SummaryColumns = "id, name, status, created_at, started_at, ended_at, config_json, average_accuracy, forgetting, backward_transfer, duration_ms, error, sweep_id, event_count, owner";

    /// <summary>All runs, newest first, without their events (the history grid).</summary>
    public IReadOnlyList<RunSummary> ListRuns() => QuerySummaries($"SELECT {SummaryColumns} FROM runs ORDER BY created_at DESC, id");

    public IReadOnlyList<RunSummary> ListRuns(IEnumerable<string> ids)
    {
        var list = ids.Distinct().ToArray();
        if (list.Length == 0) return [];
        var found = QuerySummaries($"SELECT {SummaryColumns} FROM runs WHERE id IN ({string.Join(", ", list.Select((_, i) => "$id" + i))})",
            c => { for (int i = 0; i < list.Length; i++) c.Parameters.AddWithValue("$id" + i, list[i]); }).ToDictionary(s => s.Id);
        return list.Where(found.ContainsKey).Select(id => found[id]).ToArray(); // in the order asked
    }

    public RunSummary? GetSummary(string id) =>
        QuerySummaries($"SELECT {SummaryColumns} FROM runs WHERE id = $id", c => c.Parameters.AddWithValue("$id", id)).FirstOrDefault();

    /// <summary>A run with its result and full event history, or null when unknown.</summary>
    public StoredRun? GetRun(string id)
    {
        var summary = GetSummary(id);
        if (summary is null) return null;
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT result_json FROM runs WHERE id = $id";
        select.Parameters.AddWithValue("$id", id);
        var result = select.ExecuteScalar() is string json ? JsonSerializer.Deserialize<RunResult>(json, EngineJson.Options) : null;
        return new StoredRun(summary, result, GetEvents(id));
    }

    /// <summary>A run's stored events from seq onwards, in order.</summary>
    public IReadOnlyList<RunEvent> GetEvents(string id, long fromSeq = 1)
    {
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT json FROM run_events WHERE run_id = $id AND seq >= $from ORDER BY seq";
        select.Parameters.AddWithValue("$id", id);
        select.Parameters.AddWithValue("$from", fromSeq);
        using var reader = select.ExecuteReader();
        var events = new List<RunEvent>();
        while (reader.Read()) events.Add(JsonSerializer.Deserialize<RunEvent>(reader.GetString(0), EngineJson.Options)!);
        return events;
    }

    /// <summary>
    /// Names (labels) a run; null clears the name, so the run shows its default one. A name that is empty, blank or too
    /// long is refused with an ArgumentException naming the field (see <see cref="RunNames.Problem"/>), and nothing changes.
    /// False when the run is unknown.
    /// </summary>
    public bool Rename(string id, string? name)
    {
        if (RunNames.Problem(name) is { } problem) throw new ArgumentException($"{RunNames.Field}: {problem}", nameof(name));
        return Write(connection =>
        {
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE runs SET name = $name WHERE id = $id";
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$name", name is null ? DBNull.Value : name.Trim());
            return update.ExecuteNonQuery() == 1;
        });
    }

    public bool Delete(string id) => Delete([id]) == 1;

    /// <summary>Deletes runs and their events in one transaction; returns how many runs were deleted.</summary>
    public int Delete(IEnumerable<string> ids)
    {
        var list = ids.Distinct().ToArray();
        if (list.Length == 0) return 0;
        return Write(connection => Delete(connection, list));
    }

    static int Delete(SqliteConnection connection, string[] list)
    {
        using var tx = connection.BeginTransaction();
        int deleted = 0;
        using var events = connection.CreateCommand();
        events.Transaction = tx;
        events.CommandText = "DELETE FROM run_events WHERE run_id = $id";
        var eventsId = events.Parameters.Add("$id", SqliteType.Text);
        using var runs = connection.CreateCommand();
        runs.Transaction = tx;
        runs.CommandText = "DELETE FROM runs WHERE id = $id";
        var runsId = runs.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in list)
        {
            eventsId.Value = id;
            events.ExecuteNonQuery();
            runsId.Value = id;
            deleted += runs.ExecuteNonQuery();
        }
        tx.Commit();
        return deleted;
    }

    /// <summary>Stores a sweep (or repeat) and marks its runs as belonging to it, in one transaction.</summary>
    public void AddSweep(string id, string specJson, IReadOnlyList<string> runIds, DateTimeOffset createdAt, string? name = null) => Write(connection =>
    {
        using var tx = connection.BeginTransaction();
        InsertSweep(connection, tx, id, specJson, runIds, createdAt, name);
        using (var tag = connection.CreateCommand())
        {
            tag.Transaction = tx;
            tag.CommandText = "UPDATE runs SET sweep_id = $sweep WHERE id = $id";
            tag.Parameters.AddWithValue("$sweep", id);
            var runId = tag.Parameters.Add("$id", SqliteType.Text);
            foreach (var r in runIds) { runId.Value = r; tag.ExecuteNonQuery(); }
        }
        tx.Commit();
        return 0;
    });

    static void InsertSweep(SqliteConnection connection, SqliteTransaction tx, string id, string specJson, IReadOnlyList<string> runIds, DateTimeOffset createdAt, string? name)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO sweeps (id, name, created_at, spec_json, run_ids_json) VALUES ($id, $name, $created, $spec, $runs)";
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        insert.Parameters.AddWithValue("$created", createdAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$spec", specJson);
        insert.Parameters.AddWithValue("$runs", JsonSerializer.Serialize(runIds, EngineJson.Options));
        insert.ExecuteNonQuery();
    }

    /// <summary>The results of the given runs that have one (finished runs), without their events.</summary>
    public IReadOnlyDictionary<string, RunResult> GetResults(IEnumerable<string> ids)
    {
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT result_json FROM runs WHERE id = $id AND result_json IS NOT NULL";
        var id = select.Parameters.Add("$id", SqliteType.Text);
        var results = new Dictionary<string, RunResult>();
        foreach (var runId in ids.Distinct())
        {
            id.Value = runId;
            if (select.ExecuteScalar() is string json) results[runId] = JsonSerializer.Deserialize<RunResult>(json, EngineJson.Options)!;
        }
        return results;
    }

    public StoredSweep? GetSweep(string id) =>
        QuerySweeps("SELECT id, name, created_at, spec_json, run_ids_json FROM sweeps WHERE id = $id", c => c.Parameters.AddWithValue("$id", id)).FirstOrDefault();

    public IReadOnlyList<StoredSweep> ListSweeps() =>
        QuerySweeps("SELECT id, name, created_at, spec_json, run_ids_json FROM sweeps ORDER BY created_at DESC, id");

    /// <summary>The newest <paramref name="limit"/> sweeps.</summary>
    public IReadOnlyList<StoredSweep> ListSweeps(int limit) =>
        QuerySweeps("SELECT id, name, created_at, spec_json, run_ids_json FROM sweeps ORDER BY created_at DESC, id LIMIT $limit",
            c => c.Parameters.AddWithValue("$limit", Math.Max(0, limit)));

    /// <summary>
    /// Deletes a sweep in one transaction: with its runs and their events, or leaving the runs as ordinary runs of the
    /// history. Returns false when there is no such sweep.
    /// </summary>
    public bool DeleteSweep(string id, bool withRuns)
    {
        using var connection = Connect();
        using var tx = connection.BeginTransaction();
        using (var runs = connection.CreateCommand())
        {
            runs.Transaction = tx;
            runs.CommandText = withRuns
                ? "DELETE FROM run_events WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = $id); DELETE FROM runs WHERE sweep_id = $id;"
                : "UPDATE runs SET sweep_id = NULL WHERE sweep_id = $id";
            runs.Parameters.AddWithValue("$id", id);
            runs.ExecuteNonQuery();
        }
        int deleted;
        using (var sweep = connection.CreateCommand())
        {
            sweep.Transaction = tx;
            sweep.CommandText = "DELETE FROM sweeps WHERE id = $id";
            sweep.Parameters.AddWithValue("$id", id);
            deleted = sweep.ExecuteNonQuery();
        }
        tx.Commit();
        return deleted == 1;
    }

    IReadOnlyList<StoredSweep> QuerySweeps(string sql, Action<SqliteCommand>? bind = null)
    {
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = sql;
        bind?.Invoke(select);
        using var reader = select.ExecuteReader();
        var sweeps = new List<StoredSweep>();
        while (reader.Read())
            sweeps.Add(new StoredSweep(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3),
                JsonSerializer.Deserialize<string[]>(reader.GetString(4), EngineJson.Options)!));
        return sweeps;
    }

    IReadOnlyList<RunSummary> QuerySummaries(string sql, Action<SqliteCommand>? bind = null)
    {
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = sql;
        bind?.Invoke(select);
        using var reader = select.ExecuteReader();
        var runs = new List<RunSummary>();
        while (reader.Read())
        {
            runs.Add(new RunSummary
            {
                Id = reader.GetString(0),
                Name = reader.IsDBNull(1) ? null : reader.GetString(1),
                Status = ParseStatus(reader.GetString(2)),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                StartedAt = reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                EndedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                Config = JsonSerializer.Deserialize<RunConfig>(reader.GetString(6), EngineJson.Options)!,
                AverageAccuracy = reader.IsDBNull(7) ? null : reader.GetDouble(7),
                Forgetting = reader.IsDBNull(8) ? null : reader.GetDouble(8),
                BackwardTransfer = reader.IsDBNull(9) ? null : reader.GetDouble(9),
                DurationMs = reader.IsDBNull(10) ? null : reader.GetInt64(10),
                Error = reader.IsDBNull(11) ? null : reader.GetString(11),
                SweepId = reader.IsDBNull(12) ? null : reader.GetString(12),
                EventCount = reader.GetInt32(13),
                Owner = reader.GetString(14),
            });
        }
        return runs;
    }

    public int SchemaVersion()
    {
        using var connection = Connect();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT MAX(version) FROM schema_version";
        return Convert.ToInt32(select.ExecuteScalar());
    }

    static string StatusText(RunStatus status) => status.ToString().ToLowerInvariant();
    static RunStatus ParseStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    /// <summary>Closes the pooled connections so the file is released (recordings still going will fail to write).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
