using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Storage.Sql;
using Dapper;

namespace ContinualLearning.Storage;

/// <summary>Class experiments and the board's recent runs (see <see cref="IRunStore"/>), in SQL both databases share.</summary>
public abstract partial class SqlRunStore
{
    public void AddExperiment(StoredExperiment experiment) => Write(connection => connection.Execute(ExperimentSql.Insert, new
    {
        experiment.Id, experiment.Name, experiment.Owner, CreatedAt = experiment.CreatedAt.ToUnixTimeMilliseconds(),
        ConfigJson = JsonSerializer.Serialize(experiment.Config, EngineJson.Options), experiment.Param,
        MinValue = experiment.Min, MaxValue = experiment.Max, experiment.Step,
    }));

    public StoredExperiment? GetExperiment(string id) => Query<ExperimentRow>(ExperimentSql.Get, new { Id = id }).FirstOrDefault()?.ToExperiment();

    public IReadOnlyList<StoredExperiment> ListExperiments(int limit) =>
        Query<ExperimentRow>(ExperimentSql.ListNewest, new { Limit = Math.Max(0, limit) }).Select(r => r.ToExperiment()).ToArray();

    public bool CloseExperiment(string id, DateTimeOffset closedAt) =>
        Write(connection => connection.Execute(ExperimentSql.Close, new { Id = id, ClosedAt = closedAt.ToUnixTimeMilliseconds() }) == 1);

    public bool JoinExperiment(string experimentId, string runId, double value, DateTimeOffset joinedAt) =>
        Write(connection => connection.Execute(ExperimentSql.Join, new { Id = experimentId, RunId = runId, Value = value, JoinedAt = joinedAt.ToUnixTimeMilliseconds() }) == 1);

    public IReadOnlyList<ExperimentRun> ExperimentRuns(string experimentId) =>
        Query<ExperimentRunRow>(ExperimentSql.Runs, new { Id = experimentId }).Select(r => r.ToRun()).ToArray();

    public IReadOnlyList<RunSummary> ListRecentRuns(DateTimeOffset since, int limit) =>
        Query<RunRow>(ExperimentSql.RecentRuns, new { Since = since.ToUnixTimeMilliseconds(), Limit = Math.Max(0, limit) }).Select(r => r.ToSummary()).ToArray();
}
