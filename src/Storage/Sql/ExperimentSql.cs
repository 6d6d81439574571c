namespace ContinualLearning.Storage.Sql;

/// <summary>The class experiment tables' SQL (migration 5); both databases run it as it is.</summary>
static class ExperimentSql
{
    public const string Columns = """
        id AS Id, name AS Name, owner AS Owner, created_at AS CreatedAt, closed_at AS ClosedAt, config_json AS ConfigJson,
        param AS Param, min_value AS MinValue, max_value AS MaxValue, step AS Step
        """;

    public const string Insert = """
        INSERT INTO class_experiments (id, name, owner, created_at, closed_at, config_json, param, min_value, max_value, step)
        VALUES (@Id, @Name, @Owner, @CreatedAt, NULL, @ConfigJson, @Param, @MinValue, @MaxValue, @Step)
        """;

    public const string Get = $"SELECT {Columns} FROM class_experiments WHERE id = @Id";
    public const string ListNewest = $"SELECT {Columns} FROM class_experiments ORDER BY created_at DESC, id LIMIT @Limit";
    /// <summary>Closing twice keeps the first close time.</summary>
    public const string Close = "UPDATE class_experiments SET closed_at = COALESCE(closed_at, @ClosedAt) WHERE id = @Id";
    /// <summary>Only an open experiment takes a run (the check and the insert are one statement, so a close cannot slip between).</summary>
    public const string Join = """
        INSERT INTO class_experiment_runs (run_id, experiment_id, value, joined_at)
        SELECT @RunId, id, @Value, @JoinedAt FROM class_experiments WHERE id = @Id AND closed_at IS NULL
        """;
    public const string Runs = "SELECT run_id AS RunId, value AS Value, joined_at AS JoinedAt FROM class_experiment_runs WHERE experiment_id = @Id ORDER BY joined_at, run_id";
    public const string ExperimentOfRun = "SELECT experiment_id FROM class_experiment_runs WHERE run_id = @Id";
    public const string Unlink = "DELETE FROM class_experiment_runs WHERE run_id = @Id";

    public const string RecentRuns = $"SELECT {SharedSql.RunColumns} FROM runs WHERE created_at >= @Since ORDER BY created_at DESC, id LIMIT @Limit";
}

/// <summary>A row of <c>class_experiments</c> as Dapper reads it.</summary>
sealed class ExperimentRow
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public string Owner { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? ClosedAt { get; set; }
    public string ConfigJson { get; set; } = "";
    public string Param { get; set; } = "";
    public double MinValue { get; set; }
    public double MaxValue { get; set; }
    public double Step { get; set; }

    public StoredExperiment ToExperiment() => new(
        Id, Name, Owner, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        ClosedAt is { } closed ? DateTimeOffset.FromUnixTimeMilliseconds(closed) : null,
        System.Text.Json.JsonSerializer.Deserialize<Engine.Config.RunConfig>(ConfigJson, Engine.EngineJson.Options)!,
        Param, MinValue, MaxValue, Step);
}

/// <summary>A row of <c>class_experiment_runs</c>.</summary>
sealed class ExperimentRunRow
{
    public string RunId { get; set; } = "";
    public double Value { get; set; }
    public long JoinedAt { get; set; }

    public ExperimentRun ToRun() => new(RunId, Value, DateTimeOffset.FromUnixTimeMilliseconds(JoinedAt));
}
