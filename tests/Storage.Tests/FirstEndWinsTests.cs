using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Storage.Tests;

/// <summary>
/// A run reaches exactly one stored end: at shutdown the run's silo may store "cancelled" while the node that submitted
/// it stores "interrupted" from its copy (or two nodes race in any other way); whichever end is stored first stays, and
/// the status always matches the stored terminal event.
/// </summary>
[Collection(PostgresCollection.Name)]
public class FirstEndWinsTests(PostgresServer postgres) : IDisposable
{
    readonly TestStores stores = new(postgres);
    public void Dispose() => stores.Dispose();

    static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    static RunEvent Event(string run, long seq, RunEventKind kind, bool interrupted = false) => new()
    {
        RunId = run, Seq = seq, Kind = kind, Time = T0.AddSeconds(seq), Task = 0, Step = seq,
        Loss = kind == RunEventKind.Step ? 1.0 / seq : null,
        Message = kind switch { RunEventKind.Cancelled => "Cancelled.", RunEventKind.Failed => "The worker stopped.", _ => null },
        Interrupted = interrupted ? true : null,
    };

    [Theory, SqliteStore, PostgresStore]
    public void ALaterEndOfARunWithAnEndChangesNothing(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("r", new RunConfig(), T0);
        Assert.Equal(AppendResult.Stored, store.AppendEvents("r", [Event("r", 1, RunEventKind.Started), Event("r", 2, RunEventKind.Step)]));
        // The silo stores its end first ...
        Assert.Equal(AppendResult.Stored, store.AppendEvents("r", [Event("r", 3, RunEventKind.Step), Event("r", 4, RunEventKind.Cancelled)]));
        // ... then the submitting node its copy's end: one event behind, and level with it.
        Assert.Equal(AppendResult.AlreadyEnded, store.AppendEvents("r", [Event("r", 3, RunEventKind.Failed, interrupted: true)]));
        Assert.Equal(AppendResult.AlreadyEnded, store.AppendEvents("r", [Event("r", 3, RunEventKind.Step), Event("r", 4, RunEventKind.Failed, interrupted: true)]));

        var run = store.GetRun("r")!;
        Assert.Equal(RunStatus.Cancelled, run.Summary.Status);
        Assert.Null(run.Summary.Error);
        Assert.Equal(T0.AddSeconds(4), run.Summary.EndedAt);
        Assert.Equal([RunEventKind.Started, RunEventKind.Step, RunEventKind.Step, RunEventKind.Cancelled], run.Events.Select(e => e.Kind));
        Assert.Equal(4, run.Summary.EventCount);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task TwoNodesStoringDifferentEndsAtOnceLeaveOneEndThatMatchesTheStatus(StoreKind kind)
    {
        // Two stores on one database, as two processes have; each pair of writers starts together, many times over.
        using var silo = stores.Open(kind);
        using var node = stores.Open(kind);
        for (int i = 0; i < 20; i++)
        {
            var id = $"r{i}";
            silo.AddRun(id, new RunConfig(), T0);
            silo.AppendEvents(id, [Event(id, 1, RunEventKind.Started), Event(id, 2, RunEventKind.Step)]);
            using var go = new ManualResetEventSlim();
            // The copy (stored whole, from seq 1) may lag the silo by an event: its end then has a smaller seq than the silo's.
            var cancelled = Task.Run(() => { go.Wait(); return silo.AppendEvents(id, [Event(id, 3, RunEventKind.Step), Event(id, 4, RunEventKind.Cancelled)]); });
            RunEvent[] copy = i % 2 == 0 ? [Event(id, 3, RunEventKind.Failed, interrupted: true)]
                : [Event(id, 1, RunEventKind.Started), Event(id, 2, RunEventKind.Step), Event(id, 3, RunEventKind.Step), Event(id, 4, RunEventKind.Failed, interrupted: true)];
            var interrupted = Task.Run(() => { go.Wait(); return node.AppendEvents(id, copy); });
            go.Set();
            var stored = await Task.WhenAll(cancelled, interrupted).WaitAsync(TimeSpan.FromMinutes(1));
            // One writer stored its end; the other found it there and changed nothing.
            Assert.Equal([AppendResult.Stored, AppendResult.AlreadyEnded], stored.Order());

            var run = silo.GetRun(id)!;
            var ends = run.Events.Where(e => e.IsTerminal).ToArray();
            var end = Assert.Single(ends);
            Assert.Equal(run.Events[^1], end);
            Assert.Equal(end.Kind == RunEventKind.Cancelled ? RunStatus.Cancelled : RunStatus.Interrupted, run.Summary.Status);
            Assert.Equal(end.Seq, run.Summary.EventCount);
            Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(n => (long)n), run.Events.Select(e => e.Seq));
        }
    }
}
