using System.Text.Json;
using ContinualLearning.Runs;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Sweeps;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.History;

/// <summary>
/// A sweep as REST and the UI ask for it. Missing fields: the seed config, replayRatio, one seed; no values = a repeat
/// (the config as given, over the seeds).
/// </summary>
public sealed record SweepRequest(RunConfig? Config, string? Param, double[]? Values, int? Seeds, string? Name);

/// <param name="Refused">A queue limit refused it (the whole queue, or the owner's quota): a 429.</param>
public sealed record SweepSubmission(string? Id, IReadOnlyList<ConfigError> Errors, QueueRefusal? Refused, string? StorageUnavailable = null);

public enum SweepDeletion { Deleted, NotFound, StillGoing, NotYours }

/// <summary>One run of a sweep: the value and seed it was given, and where it stands.</summary>
public sealed record SweepRunView(string Id, double Value, int Seed, RunStatus Status);

/// <summary>
/// A sweep's progress and result: the result holds, per value in the order given, the finished runs' results with
/// their mean and std (the `continual sweep --json` shape).
/// </summary>
public sealed record SweepView(
    string Id, string? Name, DateTimeOffset CreatedAt, string Param, double[] Values, int[] Seeds, RunConfig Config,
    string Status, int Total, int Finished, IReadOnlyList<SweepRunView> Runs, SweepResult Result);

/// <summary>Queues a sweep's runs as one group through the run queue and rebuilds its result from the run database.</summary>
public sealed class SweepService(IRunQueue queue, RunHistory history, IRunRegistry registry)
{
    /// <summary>GET /api/sweeps answers with at most this many sweeps, the newest.</summary>
    public const int MaxListed = 100;

    /// <param name="owner">Who the sweep's runs (and so the sweep) belong to; null = the local user.</param>
    public async Task<SweepSubmission> SubmitAsync(SweepRequest request, string? owner = null)
    {
        // The one name rule (runs and sweeps alike), checked before anything is planned.
        if (Storage.RunNames.Problem(request.Name) is { } nameProblem) return new(null, [new(Storage.RunNames.Field, nameProblem)], null);
        var config = request.Config ?? new RunConfig();
        var param = request.Param ?? "replayRatio";
        var spec = request.Values is not { Length: > 0 } && SweepParameters.IsKnown(param)
            ? SweepSpec.Repeat(config, request.Seeds ?? 1, param)
            : new SweepSpec { Config = config, Param = param, Values = request.Values ?? [], Seeds = request.Seeds ?? 1 };
        var errors = SweepValidator.Validate(spec, queue.Catalog, queue.Budget);
        if (errors.Count > 0) return new(null, errors, null);
        var plan = SweepPlanner.Plan(spec);
        // More runs than the queue (or one person's quota) can ever hold would be refused with 429 for ever: that is the request's fault.
        if (plan.Count > queue.MaxGroup)
            return new(null, [new(spec.Values.Length > 1 ? "values" : "seeds",
                $"{plan.Count} runs ({spec.Values.Length} values × {spec.Seeds} seeds) cannot fit the run queue, which holds {queue.MaxGroup}"
                + (queue.OwnerQuota < queue.Capacity ? " waiting runs per person" : "") + ": fewer values or seeds")], null);

        // All runs and the sweep are stored in one transaction before any is queued: all or nothing.
        var id = "s" + Guid.NewGuid().ToString("n")[..11];
        var submission = await queue.SubmitAllAsync(plan.Select(p => p.Config).ToArray(), new RunGroup(id, JsonSerializer.Serialize(spec, EngineJson.Options), request.Name?.Trim()), owner);
        if (!submission.Accepted) return new(null, submission.Errors, submission.Refused, submission.StorageUnavailable);
        return new(id, [], null);
    }

    public IReadOnlyList<SweepView> List() => history.Store.ListSweeps().Select(s => View(s.Id)!).ToArray();

    /// <summary>The newest <paramref name="limit"/> sweeps (GET /api/sweeps: the answer stays bounded).</summary>
    public IReadOnlyList<SweepView> List(int limit) => history.Store.ListSweeps(limit).Select(s => View(s.Id)!).ToArray();

    /// <summary>
    /// Deletes a sweep: with its runs (what the sweeps page's Delete means: the group and its curves go) or, with
    /// <paramref name="keepRuns"/>, only the group, leaving its runs in the history. Refused while any of its runs is
    /// queued or running: cancel them first, as for a single run. A sweep belongs to whoever owns its runs (one owner
    /// submits them all): <paramref name="mayChange"/> must allow every owner among its remaining runs.
    /// </summary>
    public SweepDeletion Delete(string id, bool keepRuns, Func<string, bool>? mayChange = null)
    {
        if (history.Store.GetSweep(id) is not { } sweep) return SweepDeletion.NotFound;
        if (mayChange is not null && history.Store.ListRuns(sweep.RunIds).Any(r => !mayChange(r.Owner))) return SweepDeletion.NotYours;
        if (sweep.RunIds.Any(r => registry.Find(r) is { } run && !run.Events.IsComplete)) return SweepDeletion.StillGoing;
        return history.Store.DeleteSweep(id, withRuns: !keepRuns) ? SweepDeletion.Deleted : SweepDeletion.NotFound;
    }

    public SweepView? View(string id)
    {
        var stored = history.Store.GetSweep(id);
        if (stored is null) return null;
        var spec = JsonSerializer.Deserialize<SweepSpec>(stored.SpecJson, EngineJson.Options)!;
        var plan = SweepPlanner.Plan(spec);
        var summaries = history.Store.ListRuns(stored.RunIds).ToDictionary(r => r.Id);
        var results = history.Store.GetResults(stored.RunIds);
        var runs = stored.RunIds.Select((runId, i) => new SweepRunView(runId, plan[i].Value, plan[i].Config.Seed,
            summaries.TryGetValue(runId, out var s) ? s.Status : RunStatus.Interrupted)).ToArray();
        var result = SweepResult.From(spec, stored.RunIds.Select((runId, i) => (plan[i], results.GetValueOrDefault(runId)))
            .Where(r => r.Item2 is not null).Select(r => (r.Item1, r.Item2!)));
        int finished = runs.Count(r => r.Status == RunStatus.Finished);
        bool going = runs.Any(r => r.Status is RunStatus.Queued or RunStatus.Running);
        string status = going ? (runs.Any(r => r.Status != RunStatus.Queued) ? "running" : "queued")
            : finished == runs.Length ? "finished" : "partial";
        return new SweepView(stored.Id, stored.Name, stored.CreatedAt, spec.Param, spec.Values, SweepPlanner.Seeds(spec), spec.Config,
            status, runs.Length, finished, runs, result);
    }
}
