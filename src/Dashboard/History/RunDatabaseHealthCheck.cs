using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ContinualLearning.Dashboard.History;

/// <summary>
/// /healthz's "database" check: one read and one small write (in a transaction) on the run database. Unhealthy (503)
/// with the reason when it cannot be written; Degraded when the database was found damaged at start-up and replaced
/// (the history was reset), or when runs are waiting to be saved. A successful write retries unsaved runs at once.
/// </summary>
public sealed class RunDatabaseHealthCheck(RunHistory history, RunRecordings recordings) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.Run(history.Store.Probe, cancellationToken);
        }
        catch (RunStoreUnavailableException e)
        {
            return HealthCheckResult.Unhealthy($"{e.Message}: new runs are refused and running ones are kept in memory until it can.");
        }
        history.RetryUnsaved();
        recordings.RetryUnsaved(); // the runs this process trains record here (the one-process default)
        if (history.Store.Quarantined is { } q)
            return HealthCheckResult.Degraded($"The run database was damaged at start-up ({q.At:u}) and replaced by an empty one, so the history " +
                $"was reset; the damaged file is kept beside it as {Path.GetFileName(q.MovedTo)}. Restore a backup to get the history back.");
        if (history.UnsavedCount is > 0 and var unsaved)
            return HealthCheckResult.Degraded($"The run database can be written again; {unsaved} run(s) are still being saved.");
        return HealthCheckResult.Healthy("The run database can be read and written.");
    }

    /// <summary>The health report as JSON: overall status, and each check's status and description by name.</summary>
    public static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
