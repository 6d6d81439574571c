using System.Runtime.CompilerServices;
using System.Text.Json;
using ContinualLearning.Dashboard.Api;
using ContinualLearning.Dashboard.History;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.SignalR;

namespace ContinualLearning.Dashboard.Hubs;

/// <summary>
/// The public live API at /hubs/training. Watch streams a run's RunEventLog from seq 1: the very events the
/// dashboard's own pages draw, history first, then live, completing when the run ends. WatchFrom does the same from a
/// given seq at the watcher's own pace; WatchBatches is WatchFrom with several events per message.
/// </summary>
/// <remarks>
/// Arguments arrive as raw JSON (JsonElement) and are checked here, so a wrong kind of value (null, a number for an
/// id, text for a pace) fails with a HubException naming the argument instead of SignalR's anonymous binding error.
/// </remarks>
/// <remarks>
/// The caller is the connection's visitor (its cookie or API token, from when it connected): Start gives the run to
/// them and counts against their run-creation limit; Cancel needs the run's owner or an instructor (class mode).
/// </remarks>
public sealed class TrainingHub(IRunRegistry registry, IRunQueue queue, RunHistory history, RunOwnership ownership, AbuseLimits limits,
    Microsoft.Extensions.Options.IOptions<JsonHubProtocolOptions> protocol) : Hub
{
    public const string Path = "/hubs/training";

    /// <summary>Live events leave at most this often per watcher, in one burst each; history goes at once.</summary>
    public static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(20);

    // Not an iterator itself, so an unknown id fails the call with the HubException's message.
    // Runs from before a restart are served from the run database (their whole stored history).
    /// <summary>Every event of the run from seq 1, as fast as available: history at once, then live.</summary>
    public IAsyncEnumerable<EventPayload> Watch(JsonElement? runId, CancellationToken cancellationToken) =>
        Payloads(Events(Id(runId), 1, cancellationToken));

    /// <summary>
    /// The run's events from seq <paramref name="fromSeq"/> (null = 1) on, played at <paramref name="pace"/> steps per
    /// second (null or 0 = as fast as available). The pace is this watcher's alone: the waiting is asynchronous and holds
    /// neither the training nor any other watcher. (SignalR binds hub arguments by count and has no optional
    /// parameters, so this is a method of its own beside the one-argument Watch.)
    /// </summary>
    public IAsyncEnumerable<EventPayload> WatchFrom(JsonElement? runId, JsonElement? pace, JsonElement? fromSeq, CancellationToken cancellationToken)
    {
        var id = Id(runId);
        double steps = Pace(pace);
        long from = FromSeq(fromSeq);
        return Payloads(PacedEvents.At(Events(id, from, cancellationToken), steps, ct: cancellationToken));
    }

    /// <summary>
    /// WatchFrom's events in batches: each stream item is a JSON array of consecutive events (every event available at
    /// that moment: a live run's latest ~20 ms, a paced step's events, up to EventBatch.MaxEvents of history), in seq
    /// order with no gaps or repeats across items. One message per batch instead of one per event: the way to watch
    /// for many clients at once or at full speed (a class, a board, a script).
    /// </summary>
    public IAsyncEnumerable<EventBatch> WatchBatches(JsonElement? runId, JsonElement? pace, JsonElement? fromSeq, CancellationToken cancellationToken) =>
        EventBatch.Of(WatchFrom(runId, pace, fromSeq, cancellationToken), cancellationToken);

    /// <summary>Each event as the JSON every watcher of it shares (serialised once, however many watch).</summary>
    async IAsyncEnumerable<EventPayload> Payloads(IAsyncEnumerable<RunEvent> events)
    {
        var options = protocol.Value.PayloadSerializerOptions;
        await foreach (var e in events) yield return EventPayload.Of(e, options);
    }

    IAsyncEnumerable<RunEvent> Events(string id, long fromSeq, CancellationToken cancellationToken) =>
        registry.Find(id) is { } run ? Coalesced(run.Events, fromSeq, cancellationToken)
        : history.StoredEvents(id, cancellationToken) is { } stored ? From(stored, fromSeq)
        : throw new HubException($"There is no run with id '{id}'.");

    static async IAsyncEnumerable<RunEvent> From(IAsyncEnumerable<RunEvent> events, long fromSeq)
    {
        await foreach (var e in events)
            if (e.Seq >= fromSeq) yield return e;
    }

    /// <summary>A viewer's pace: null = as fast as available, else a number under the config's pace rule.</summary>
    static double Pace(JsonElement? pace)
    {
        if (pace is null or { ValueKind: JsonValueKind.Null }) return 0;
        if (pace is not { ValueKind: JsonValueKind.Number } number || !number.TryGetDouble(out var value))
            throw new HubException($"pace: {ConfigValidator.PaceRule}");
        if (ConfigValidator.CheckPace(value) is { } error) throw new HubException(error.ToString());
        return value;
    }

    /// <summary>The first seq to send: null = 1, else a whole number from 1 on.</summary>
    static long FromSeq(JsonElement? fromSeq)
    {
        if (fromSeq is null or { ValueKind: JsonValueKind.Null }) return 1;
        if (fromSeq is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var value) && value >= 1) return value;
        throw new HubException("fromSeq: must be a whole number from 1 (the first event) on");
    }

    /// <summary>
    /// Every event of the log in order, sent in bursts: at full speed a run appends thousands of events a second, and
    /// waking each watcher per event would take the CPU the training needs. A burst costs one wake-up and one socket
    /// write per watcher; events still leave within SendInterval of being produced.
    /// </summary>
    static async IAsyncEnumerable<RunEvent> Coalesced(RunEventLog log, long fromSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in log.FollowAsync(fromSeq, SendInterval, cancellationToken))
            foreach (var e in chunk) yield return e;
    }

    /// <summary>
    /// Queues a run; returns its id. The config is a JSON object like POST /api/runs's body ("preset" included; {} is
    /// the seed). An invalid config fails with every "field: rule" in the message.
    /// </summary>
    public async Task<string> Start(JsonElement? config)
    {
        if (config is not { ValueKind: JsonValueKind.Object }) throw Invalid([new("config", "must be a JSON object of run config fields ({} for the seed's defaults)")]);
        if (limits.Refusal(LimitedAction.CreateRuns, Context.User, Context.GetHttpContext()?.Connection.RemoteIpAddress) is { } tooMany) throw new HubException(tooMany.Sentence);
        if (ConfigBody.Read(config, out var errors) is not { } parsed) throw Invalid(errors);
        var submission = await queue.SubmitAsync(parsed, ownership.OwnerOf(Context.User));
        if (submission.StorageUnavailable is { } storage) throw new HubException(storage);
        if (submission.Refused is { } refused) throw new HubException(refused.Message);
        if (!submission.Accepted) throw Invalid(submission.Errors);
        return submission.Run!.Id;
    }

    public async Task Cancel(JsonElement? runId)
    {
        var run = Find(runId);
        if (!ownership.MayChange(Context.User, run.Owner)) throw new HubException(RunOwnership.Refusal("cancel"));
        await queue.CancelAsync(run);
    }
    /// <summary>Retired: training no longer pauses; pause is per viewer (the live page's timeline, or stop reading a watch).</summary>
    public void Pause(JsonElement? runId) => throw PerViewer("Pause");
    /// <summary>Retired, like Pause.</summary>
    public void Resume(JsonElement? runId) => throw PerViewer("Resume");
    /// <summary>Retired: pace is per viewer, passed to WatchFrom.</summary>
    public void SetPace(JsonElement? runId, JsonElement? pace) => throw PerViewer("SetPace");

    static HubException PerViewer(string method) => new(
        $"{method} is retired: a run always trains at full speed, and pace and pause belong to each viewer. " +
        "Pass a pace to WatchFrom(runId, pace, fromSeq), or use the live page's timeline.");

    static HubException Invalid(IReadOnlyList<ConfigError> errors) =>
        new("Invalid run configuration: " + string.Join("; ", ConfigErrors.Bounded(errors)));

    /// <summary>The run id argument: a string of the right shape, or a HubException naming runId.</summary>
    static string Id(JsonElement? runId)
    {
        if (runId is not { ValueKind: JsonValueKind.String } text) throw new HubException("runId: must be a run id (text)");
        var id = text.GetString();
        if (RunIds.Problem(id) is { } problem) throw new HubException($"runId: {problem}");
        return id!;
    }

    TrainingRun Find(JsonElement? runId)
    {
        var id = Id(runId);
        return registry.Find(id) ?? throw new HubException($"There is no run with id '{id}'.");
    }
}
