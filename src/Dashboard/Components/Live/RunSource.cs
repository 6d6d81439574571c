using System.Runtime.CompilerServices;
using ContinualLearning.Dashboard.History;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>
/// The run a live view plays: one live on this server (its event log, followed as it grows) or one from the run
/// database (its stored events, all at once). Either way the view sees the same events in the same order, so a stored
/// run scrubs exactly like a live one.
/// </summary>
public sealed class RunSource
{
    /// <summary>A live log is read in chunks at most this often; the view redraws on its own clock anyway.</summary>
    static readonly TimeSpan ReadInterval = TimeSpan.FromMilliseconds(100);

    readonly Func<CancellationToken, IAsyncEnumerable<IReadOnlyList<RunEvent>>> chunks;

    RunSource(string id, RunConfig config, string owner, DateTimeOffset createdAt, TrainingRun? live, RunStatus? storedStatus,
        Func<CancellationToken, IAsyncEnumerable<IReadOnlyList<RunEvent>>> chunks)
    {
        Id = id;
        Config = config;
        Owner = owner;
        CreatedAt = createdAt;
        Live = live;
        StoredStatus = storedStatus;
        this.chunks = chunks;
    }

    public string Id { get; }
    public RunConfig Config { get; }
    /// <summary>Who submitted the run (its previous run, drawn behind it, is theirs).</summary>
    public string Owner { get; }
    public DateTimeOffset CreatedAt { get; }
    /// <summary>The run while this server holds it (queue position, cancel, recording notices); null for a stored run.</summary>
    public TrainingRun? Live { get; }
    /// <summary>A stored run's status as recorded (interrupted runs have no end event); null for a live run.</summary>
    public RunStatus? StoredStatus { get; }

    /// <summary>The run's events from seq 1, in chunks, until the run ends (a stored run: one chunk).</summary>
    public IAsyncEnumerable<IReadOnlyList<RunEvent>> Chunks(CancellationToken ct) => chunks(ct);

    public static RunSource Of(TrainingRun run) =>
        new(run.Id, run.Config, run.Owner, run.CreatedAt, run, null, ct => run.Events.FollowAsync(1, ReadInterval, ct));

    /// <summary>The run live on this server, else the stored one, else null.</summary>
    public static RunSource? Find(string id, Runs.IRunRegistry registry, RunHistory history)
    {
        if (registry.Find(id) is { } run) return Of(run);
        if (history.Store.GetSummary(id) is not { } summary) return null;
        return new RunSource(id, summary.Config, summary.Owner, summary.CreatedAt, null, summary.Status, ct => Stored(history, id, ct));
    }

    static async IAsyncEnumerable<IReadOnlyList<RunEvent>> Stored(RunHistory history, string id, [EnumeratorCancellation] CancellationToken ct)
    {
        var all = new List<RunEvent>();
        if (history.StoredEvents(id, ct) is { } events)
            await foreach (var e in events.WithCancellation(ct)) all.Add(e);
        yield return all;
    }
}
