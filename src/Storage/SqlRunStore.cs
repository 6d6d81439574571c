using System.Data.Common;
using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage.Sql;
using Dapper;

namespace ContinualLearning.Storage;

/// <summary>
/// Everything <see cref="IRunStore"/> does, in SQL both databases understand, mapped with Dapper. The subclasses only
/// open connections, set the database up, and spell the few things their dialects disagree on.
/// Each operation takes its own pooled connection; every write is one transaction and goes through the fault hook.
/// </summary>
public abstract partial class SqlRunStore : IRunStore
{
    private protected SqlRunStore(SqlDialect dialect) => this.dialect = dialect;

    readonly SqlDialect dialect;

    /// <summary>Brings the schema up to date (see <see cref="Schema.Migrate"/>), taking the dialect's migration lock.</summary>
    private protected void Migrate(DbConnection connection, IReadOnlyList<string> migrations) =>
        Schema.Migrate(connection, migrations, dialect.MigrationLock);

    public abstract string Location { get; }
    public int InterruptedOnOpen { get; private protected set; }
    public virtual QuarantinedDatabase? Quarantined => null;
    public StoreFaults Faults { get; } = new();

    /// <summary>An open connection from the pool.</summary>
    private protected abstract DbConnection Connect();

    public abstract void Dispose();

    /// <summary>Every write goes through here: the fault hook, then one connection; storage faults become <see cref="RunStoreUnavailableException"/>.</summary>
    private protected T Write<T>(Func<DbConnection, T> work)
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

    /// <summary>Marks runs a stopped process left going as interrupted (on open), as <paramref name="leftGoing"/> says; returns how many.</summary>
    private protected static int MarkInterrupted(DbConnection connection, LeftGoing leftGoing) => leftGoing switch
    {
        LeftGoing.Interrupt => connection.Execute(SharedSql.MarkInterrupted, new { Message = RunStore.InterruptedMessage }),
        LeftGoing.InterruptRunning => connection.Execute(SharedSql.MarkRunningInterrupted, new { Message = RunStore.InterruptedMessage }),
        _ => 0,
    };

    private protected static void WriteProbe(DbConnection connection)
    {
        using var tx = connection.BeginTransaction();
        connection.Execute(SharedSql.ProbeWrite, new { Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, tx);
        tx.Commit();
    }

    public void Probe() => Write(connection =>
    {
        connection.ExecuteScalar<int>(SharedSql.SchemaVersion);
        WriteProbe(connection);
        return 0;
    });

    public int SchemaVersion()
    {
        using var connection = Connect();
        return connection.ExecuteScalar<int>(SharedSql.SchemaVersion);
    }

    public RunRecording Record(TrainingRun run, string? name = null, string? sweepId = null, TimeSpan? flushInterval = null)
    {
        AddRun(run.Id, run.Config, run.CreatedAt, name, sweepId);
        return Follow(run, flushInterval);
    }

    public RunRecording Follow(TrainingRun run, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default) =>
        Follow(run.Events, flushInterval, retryDelays, stop);

    public RunRecording Follow(RunEventLog log, TimeSpan? flushInterval = null, IReadOnlyList<TimeSpan>? retryDelays = null, CancellationToken stop = default) =>
        new(this, log, flushInterval ?? RunRecording.DefaultFlushInterval, retryDelays ?? RunRecording.DefaultRetryDelays, stop);

    public void AddRun(string id, RunConfig config, DateTimeOffset createdAt, string? name = null, string? sweepId = null) =>
        AddRuns([new NewRun(id, config, createdAt, name)], sweepId is null ? null : new NewSweep(sweepId, null, null, createdAt));

    public void AddRuns(IReadOnlyList<NewRun> runs, NewSweep? sweep = null) => Write(connection =>
    {
        using var tx = connection.BeginTransaction();
        if (sweep is { SpecJson: not null }) InsertSweep(connection, tx, sweep.Id, sweep.SpecJson, runs.Select(r => r.Id).ToArray(), sweep.CreatedAt, sweep.Name);
        var configs = runs.Select(run => JsonSerializer.Serialize(run.Config, EngineJson.Options)).ToArray();
        var names = DistinctNames(connection, tx, runs, configs);
        connection.Execute(SharedSql.InsertRun, runs.Select((run, i) => new
        {
            run.Id,
            Name = names[i],
            CreatedAt = run.CreatedAt.ToUnixTimeMilliseconds(),
            ConfigJson = configs[i],
            SweepId = sweep?.Id,
            run.Owner,
        }), tx);
        tx.Commit();
        return 0;
    });

    /// <summary>
    /// The names new runs are stored with: the one given, else none (the default name) for the first run of a config
    /// and the default name numbered after the identical ones before it ("… · seed 0 (2)"), whoever owns them.
    /// </summary>
    string?[] DistinctNames(DbConnection connection, DbTransaction tx, IReadOnlyList<NewRun> runs, string[] configs)
    {
        var names = runs.Select(r => r.Name).ToArray();
        if (names.All(n => n is not null)) return names;
        if (dialect.NamingLock is { } naming) connection.Execute(naming, transaction: tx);
        var before = new Dictionary<string, long>();
        for (int i = 0; i < runs.Count; i++)
        {
            long earlier = before.TryGetValue(configs[i], out var n) ? n
                : connection.ExecuteScalar<long>(SharedSql.CountSameConfig, new { ConfigJson = configs[i] }, tx);
            before[configs[i]] = earlier + 1;
            if (names[i] is null && earlier > 0) names[i] = RunNames.Numbered(RunSummary.DefaultName(runs[i].Config), earlier + 1);
        }
        return names;
    }

    /// <remarks>
    /// One guard for every writer of a run's end (its silo's recording, a node's copy, the queue storing a cancel or a
    /// lost run): the run's row is locked first, so writers of one run take turns, and under that lock a run that has an
    /// end keeps it (the writer of that end stored the events before it too), and an end that would not directly follow
    /// the events stored (its writer's copy lags the store, or is ahead of it) is not stored.
    /// </remarks>
    public AppendResult AppendEvents(string runId, IReadOnlyList<RunEvent> events) =>
        events.Count == 0 ? AppendResult.Stored : Write(connection =>
        {
            using var tx = connection.BeginTransaction();
            var stored = connection.QueryFirstOrDefault<RunProgress>(SharedSql.RunProgress + dialect.RowLock, new { Id = runId }, tx);
            if (stored is null) return AppendResult.UnknownRun;
            if (stored.Ended == 1) return AppendResult.AlreadyEnded;
            if (events[^1].IsTerminal && (events[^1].Seq <= stored.EventCount || events[0].Seq > stored.EventCount + 1))
                return AppendResult.OutOfStep;
            InsertEvents(connection, tx, events.Select(e => new EventRow(runId, e.Seq, EventJson(e))).ToArray());
            UpdateAfterEvents(connection, tx, runId, events);
            tx.Commit();
            return AppendResult.Stored;
        });

    /// <summary>
    /// Inserts events, skipping ones already stored: one prepared statement, rebound per event (Dapper would rebuild the
    /// parameters for every row, which a batch of hundreds of events notices). PostgreSQL sends them all at once instead.
    /// </summary>
    private protected virtual void InsertEvents(DbConnection connection, DbTransaction tx, IReadOnlyList<EventRow> events)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = SharedSql.InsertEvent;
        var runId = Parameter(insert, "@RunId", System.Data.DbType.String);
        var seq = Parameter(insert, "@Seq", System.Data.DbType.Int64);
        var json = Parameter(insert, "@Json", System.Data.DbType.String);
        insert.Prepare();
        foreach (var e in events)
        {
            runId.Value = e.RunId;
            seq.Value = e.Seq;
            json.Value = e.Json;
            insert.ExecuteNonQuery();
        }
    }

    static DbParameter Parameter(DbCommand command, string name, System.Data.DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    static void UpdateAfterEvents(DbConnection connection, DbTransaction tx, string runId, IReadOnlyList<RunEvent> events)
    {
        var parameters = new DynamicParameters(new { Id = runId, Count = events[^1].Seq });
        var sets = new List<string> { SharedSql.KeepHighestEventCount };
        if (events.FirstOrDefault(e => e.Kind == RunEventKind.Started) is { } started)
        {
            sets.Add(SharedSql.Started);
            parameters.Add("StartedAt", started.Time.ToUnixTimeMilliseconds());
        }
        if (events.FirstOrDefault(e => e.IsTerminal) is { } last)
        {
            // The end sets the status itself (a column is assigned once per UPDATE in PostgreSQL).
            sets.Add(SharedSql.Ended);
            parameters.Add("Status", StatusText(last.Kind switch
            {
                RunEventKind.Finished => RunStatus.Finished,
                RunEventKind.Cancelled => RunStatus.Cancelled,
                _ when last.Interrupted == true => RunStatus.Interrupted, // its worker died: cut off, not failed
                _ => RunStatus.Failed,
            }));
            parameters.Add("EndedAt", last.Time.ToUnixTimeMilliseconds());
            parameters.Add("Error", last.Kind == RunEventKind.Failed ? last.Message : null, System.Data.DbType.String);
            if (last.Result is { } r)
            {
                sets.Add(SharedSql.WithResult);
                parameters.AddDynamicParams(new
                {
                    ResultJson = Json(r), r.AverageAccuracy, r.Forgetting, r.BackwardTransfer, r.DurationMs,
                });
            }
        }
        else sets.Add(SharedSql.RunningUnlessEnded);
        connection.Execute($"UPDATE runs SET {string.Join(", ", sets)} WHERE id = @Id", parameters, tx);
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

    public IReadOnlyList<RunSummary> ListRuns() => Query<RunRow>(SharedSql.ListRuns).Select(r => r.ToSummary()).ToArray();

    public IReadOnlyList<RunSummary> ListGoing() => Query<RunRow>(SharedSql.ListGoing).Select(r => r.ToSummary()).ToArray();

    public IReadOnlyList<RunSummary> ListRuns(IEnumerable<string> ids)
    {
        var list = ids.Distinct().ToArray();
        if (list.Length == 0) return [];
        var found = Query<RunRow>($"SELECT {SharedSql.RunColumns} FROM runs WHERE {dialect.InList("id", "Ids")}", new { Ids = list })
            .ToDictionary(r => r.Id, r => r.ToSummary());
        return list.Where(found.ContainsKey).Select(id => found[id]).ToArray(); // in the order asked
    }

    public RunSummary? GetSummary(string id) => Query<RunRow>(SharedSql.GetSummary, new { Id = id }).FirstOrDefault()?.ToSummary();

    public StoredRun? GetRun(string id) =>
        Query<RunRow>(SharedSql.GetRunWithResult, new { Id = id }).FirstOrDefault() is { } row
            ? new StoredRun(row.ToSummary(), row.Result(), GetEvents(id))
            : null;

    public IReadOnlyList<RunEvent> GetEvents(string id, long fromSeq = 1) =>
        Query<string>(SharedSql.GetEvents, new { Id = id, From = fromSeq })
            .Select(json => JsonSerializer.Deserialize<RunEvent>(json, EngineJson.Options)!).ToArray();

    public IReadOnlyDictionary<string, RunResult> GetResults(IEnumerable<string> ids)
    {
        var list = ids.Distinct().ToArray();
        if (list.Length == 0) return new Dictionary<string, RunResult>();
        return Query<ResultRow>($"SELECT id AS Id, result_json AS ResultJson FROM runs WHERE {dialect.InList("id", "Ids")} AND result_json IS NOT NULL", new { Ids = list })
            .ToDictionary(r => r.Id, r => JsonSerializer.Deserialize<RunResult>(r.ResultJson, EngineJson.Options)!);
    }

    public bool Rename(string id, string? name)
    {
        if (RunNames.Problem(name) is { } problem) throw new ArgumentException($"{RunNames.Field}: {problem}", nameof(name));
        return Write(connection => connection.Execute(SharedSql.Rename, new { Id = id, Name = name?.Trim() }) == 1);
    }

    public bool Delete(string id) => Delete([id]) == 1;

    public int Delete(IEnumerable<string> ids)
    {
        var list = ids.Distinct().Select(id => new { Id = id }).ToArray();
        if (list.Length == 0) return 0;
        return Write(connection =>
        {
            using var tx = connection.BeginTransaction();
            connection.Execute(SharedSql.DeleteEvents, list, tx);
            connection.Execute(ExperimentSql.Unlink, list, tx); // a deleted run leaves its class experiment's curve too
            int deleted = connection.Execute(SharedSql.DeleteRun, list, tx);
            tx.Commit();
            return deleted;
        });
    }

    public void AddSweep(string id, string specJson, IReadOnlyList<string> runIds, DateTimeOffset createdAt, string? name = null) => Write(connection =>
    {
        using var tx = connection.BeginTransaction();
        InsertSweep(connection, tx, id, specJson, runIds, createdAt, name);
        connection.Execute(SharedSql.TagRun, runIds.Select(r => new { SweepId = id, Id = r }), tx);
        tx.Commit();
        return 0;
    });

    static void InsertSweep(DbConnection connection, DbTransaction tx, string id, string specJson, IReadOnlyList<string> runIds, DateTimeOffset createdAt, string? name) =>
        connection.Execute(SharedSql.InsertSweep, new
        {
            Id = id, Name = name, CreatedAt = createdAt.ToUnixTimeMilliseconds(), SpecJson = specJson,
            RunIdsJson = JsonSerializer.Serialize(runIds, EngineJson.Options),
        }, tx);

    public StoredSweep? GetSweep(string id) => Query<SweepRow>(SharedSql.GetSweep, new { Id = id }).FirstOrDefault()?.ToSweep();

    public IReadOnlyList<StoredSweep> ListSweeps() => Query<SweepRow>(SharedSql.ListSweeps).Select(s => s.ToSweep()).ToArray();

    public IReadOnlyList<StoredSweep> ListSweeps(int limit) =>
        Query<SweepRow>(SharedSql.ListNewestSweeps, new { Limit = Math.Max(0, limit) }).Select(s => s.ToSweep()).ToArray();

    public bool DeleteSweep(string id, bool withRuns) => Write(connection =>
    {
        using var tx = connection.BeginTransaction();
        var sweep = new { Id = id };
        if (withRuns)
        {
            connection.Execute(SharedSql.DeleteSweepEvents, sweep, tx);
            connection.Execute(SharedSql.DeleteSweepRuns, sweep, tx);
        }
        else connection.Execute(SharedSql.UntagSweepRuns, sweep, tx);
        int deleted = connection.Execute(SharedSql.DeleteSweep, sweep, tx);
        tx.Commit();
        return deleted == 1;
    });

    /// <summary>A read on its own connection, fully buffered before the connection goes back to the pool.</summary>
    List<T> Query<T>(string sql, object? parameters = null)
    {
        using var connection = Connect();
        return connection.Query<T>(sql, parameters).AsList();
    }

    static string StatusText(RunStatus status) => status.ToString().ToLowerInvariant();
}
