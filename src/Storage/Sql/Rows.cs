using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Metrics;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Storage.Sql;

/// <summary>
/// A row of <c>runs</c> as Dapper reads it (columns aliased to these names in <see cref="SharedSql.RunColumns"/>).
/// Times are Unix milliseconds in both databases.
/// </summary>
sealed class RunRow
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public string ConfigJson { get; set; } = "";
    public double? AverageAccuracy { get; set; }
    public double? Forgetting { get; set; }
    public double? BackwardTransfer { get; set; }
    public long? DurationMs { get; set; }
    public string? Error { get; set; }
    public string? SweepId { get; set; }
    public long EventCount { get; set; }
    public string Owner { get; set; } = TrainingRun.LocalOwner;
    /// <summary>Only read where the result is wanted (<see cref="SharedSql.RunColumnsWithResult"/>).</summary>
    public string? ResultJson { get; set; }

    public RunSummary ToSummary() => new()
    {
        Id = Id,
        Name = Name,
        Status = Enum.Parse<RunStatus>(Status, ignoreCase: true),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        StartedAt = StartedAt is { } started ? DateTimeOffset.FromUnixTimeMilliseconds(started) : null,
        EndedAt = EndedAt is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null,
        Config = JsonSerializer.Deserialize<RunConfig>(ConfigJson, EngineJson.Options)!,
        AverageAccuracy = AverageAccuracy,
        Forgetting = Forgetting,
        BackwardTransfer = BackwardTransfer,
        DurationMs = DurationMs,
        Error = Error,
        SweepId = SweepId,
        EventCount = checked((int)EventCount),
        Owner = Owner,
    };

    public RunResult? Result() => ResultJson is null ? null : JsonSerializer.Deserialize<RunResult>(ResultJson, EngineJson.Options);
}

/// <summary>How far a run's stored history goes (<see cref="SharedSql.RunProgress"/>): read under the run's row lock before a batch.</summary>
sealed class RunProgress
{
    /// <summary>1 when the run's end is stored, else 0.</summary>
    public long Ended { get; set; }
    public long EventCount { get; set; }
}

/// <summary>A row of <c>sweeps</c> as Dapper reads it.</summary>
sealed class SweepRow
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public long CreatedAt { get; set; }
    public string SpecJson { get; set; } = "";
    public string RunIdsJson { get; set; } = "[]";

    public StoredSweep ToSweep() => new(Id, Name, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), SpecJson,
        JsonSerializer.Deserialize<string[]>(RunIdsJson, EngineJson.Options)!);
}

/// <summary>A run's result as <see cref="SqlRunStore.GetResults"/> reads it.</summary>
sealed class ResultRow
{
    public string Id { get; set; } = "";
    public string ResultJson { get; set; } = "";
}

/// <summary>One event to insert (the parameters of <see cref="SharedSql.InsertEvent"/>).</summary>
sealed record EventRow(string RunId, long Seq, string Json);
