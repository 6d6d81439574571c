using System.Diagnostics;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage.Tests;

/// <summary>A database that cannot be written, a damaged file, a file that is not a database, a full disk.</summary>
/// <remarks>The injected faults and what a recording does about them are run against both stores; the rest is about SQLite files.</remarks>
[Collection(PostgresCollection.Name)]
public class StorageFaultTests(PostgresServer postgres) : IDisposable
{
    readonly TempDatabase db = new();
    readonly TestStores stores = new(postgres);
    public void Dispose()
    {
        stores.Dispose();
        db.Dispose();
    }

    static readonly RunConfig Small = new() { IterationsPerTask = 12, EvalEvery = 4 };
    static readonly TimeSpan[] QuickRetries = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)];

    [Theory, SqliteStore, PostgresStore]
    public void AWriteThatFailsStoresNothingAndSaysWhyWithoutAPath(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.Faults.FailWrites();
        var e = Assert.Throws<RunStoreUnavailableException>(() =>
            store.AddRuns([new NewRun("a", Small, DateTimeOffset.UtcNow), new NewRun("b", Small, DateTimeOffset.UtcNow)], new NewSweep("s1", "{}", null, DateTimeOffset.UtcNow)));
        Assert.Equal("the disk is full", e.Reason);
        Assert.Equal("The run database cannot be written (the disk is full)", e.Message);
        Assert.DoesNotContain(stores.SqliteFolder, e.Message);
        Assert.Throws<RunStoreUnavailableException>(store.Probe);
        Assert.Empty(store.ListRuns()); // reads still work, and nothing of the group was stored
        Assert.Empty(store.ListSweeps());

        store.Faults.Heal();
        store.Probe();
        store.AddRuns([new NewRun("a", Small, DateTimeOffset.UtcNow), new NewRun("b", Small, DateTimeOffset.UtcNow)], new NewSweep("s1", "{}", null, DateTimeOffset.UtcNow));
        Assert.Equal(["a", "b"], store.GetSweep("s1")!.RunIds);
        Assert.All(store.ListRuns(), r => Assert.Equal("s1", r.SweepId));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task ARecordingWhoseWritesFailMidRunStillStoresTheWholeRunWhenTheDatabaseRecovers(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("r", Small, DateTimeOffset.UtcNow);
        // The log is filled by hand, one event per write, so exactly which writes fail does not depend on timing.
        var log = new RunEventLog("r");
        var recording = store.Follow(log, flushInterval: TimeSpan.FromMilliseconds(1), retryDelays: QuickRetries);
        var errors = new List<string?>();
        recording.ErrorChanged += r => { lock (errors) errors.Add(r.Error); };

        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Started });
        await WaitUntil(() => recording.Batches == 1);
        store.Faults.FailWrites(count: 3);
        for (int step = 1; step <= 3; step++)
        {
            log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Step, Step = step, Loss = 1.0 / step });
            int failed = step;
            await WaitUntil(() => recording.FailedWrites == failed);
            Assert.Contains("not saved", recording.Error);
        }
        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Step, Step = 4, Loss = 0.2 });
        await WaitUntil(() => recording.Batches == 2); // the database is back: the three held steps land with the fourth
        Assert.Null(recording.Error);
        log.Append(new RunEvent { RunId = "r", Kind = RunEventKind.Finished });
        await recording.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(recording.Saved);
        Assert.Equal(3, store.Faults.FailedWrites);
        Assert.Contains(errors, e => e is not null && e.Contains("not saved") && e.Contains("the disk is full"));
        Assert.Null(errors[^1]); // the notice cleared once the events were stored
        var stored = store.GetRun("r")!;
        Assert.Equal(RunStatus.Finished, stored.Summary.Status);
        Assert.Equal([1L, 2, 3, 4, 5, 6], stored.Events.Select(e => e.Seq));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task ATrainingRunNeverNoticesThatItsRecordingCannotWrite(StoreKind kind)
    {
        using var store = stores.Open(kind);
        using var run = new TrainingRun(Small, new DataSetCatalog());
        store.AddRun(run.Id, run.Config, run.CreatedAt);
        store.Faults.FailWrites(count: 2);
        var recording = store.Follow(run, flushInterval: TimeSpan.FromMilliseconds(1), retryDelays: QuickRetries);
        run.Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        await recording.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.True(recording.Saved); // two failures, then the retries store everything, however the events were batched
        Assert.Equal(2, recording.FailedWrites);
        Assert.Equal(run.Events.Snapshot().Select(e => e.Seq), store.GetRun(run.Id)!.Events.Select(e => e.Seq));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task ARecordingThatGivesUpKeepsTheRunAndSavesItsEndOnceTheDatabaseIsBack(StoreKind kind)
    {
        using var store = stores.Open(kind);
        using var run = new TrainingRun(Small, new DataSetCatalog());
        store.AddRun(run.Id, run.Config, run.CreatedAt);
        store.Faults.FailWrites();
        var recording = store.Follow(run, flushInterval: TimeSpan.FromMilliseconds(1), retryDelays: QuickRetries);
        run.Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        await recording.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.False(recording.Saved);
        Assert.Contains("not saved", recording.Error);
        Assert.Equal(RunStatus.Queued, store.GetSummary(run.Id)!.Status); // not "finished", not half-written
        Assert.False(recording.TrySaveRest()); // still failing

        store.Faults.Heal();
        Assert.True(recording.TrySaveRest());
        Assert.Null(recording.Error);
        var stored = store.GetRun(run.Id)!;
        Assert.Equal(RunStatus.Finished, stored.Summary.Status);
        Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(i => (long)i), stored.Events.Select(e => e.Seq));
    }

    [Theory, SqliteStore, PostgresStore]
    public void AnEventThatCannotBeSerialisedIsStoredWithoutItsNumbersAndTheRunStillEnds(StoreKind kind)
    {
        using var store = stores.Open(kind);
        store.AddRun("r", Small, DateTimeOffset.UtcNow);
        var t = DateTimeOffset.UtcNow;
        Assert.Equal(AppendResult.Stored, store.AppendEvents("r", [
            new RunEvent { RunId = "r", Seq = 1, Kind = RunEventKind.Started, Time = t },
            new RunEvent { RunId = "r", Seq = 2, Kind = RunEventKind.Step, Time = t, Step = 1, Loss = double.PositiveInfinity },
            new RunEvent { RunId = "r", Seq = 3, Kind = RunEventKind.Failed, Time = t, Message = "diverged" },
        ]));
        var stored = store.GetRun("r")!;
        Assert.Equal(RunStatus.Failed, stored.Summary.Status);
        Assert.Equal([1L, 2, 3], stored.Events.Select(e => e.Seq));
        Assert.Null(stored.Events[1].Loss);
        Assert.Contains("could not be stored", stored.Events[1].Message);
    }

    [Fact]
    public void ADamagedDatabaseIsMovedAsideWithItsWalAndAFreshOneStarted()
    {
        using (var store = db.Open()) FillWithRuns(store, 300);
        SqliteFiles.Checkpoint(db.Path);
        long length = new FileInfo(db.Path).Length;
        Assert.True(length > 20 * 4096, $"the test database should span many pages, has {length} bytes");
        // Garbage over the last pages (where the newest runs' events are): the file still opens, quick_check must catch it.
        using (var file = new FileStream(db.Path, FileMode.Open, FileAccess.Write))
        {
            file.Position = length - 3 * 4096;
            file.Write(Garbage(2 * 4096));
        }
        File.WriteAllBytes(db.Path + "-wal", []); // a left-over -wal goes with it
        var damaged = File.ReadAllBytes(db.Path);

        using var reopened = db.Open();
        var q = reopened.Quarantined;
        Assert.NotNull(q);
        Assert.StartsWith(db.Path + ".damaged-", q.MovedTo);
        Assert.Equal(damaged, File.ReadAllBytes(q.MovedTo));
        Assert.True(File.Exists(q.MovedTo + "-wal"));
        Assert.False(string.IsNullOrWhiteSpace(q.Problem));
        Assert.Empty(reopened.ListRuns());
        reopened.AddRun("after", Small, DateTimeOffset.UtcNow); // the fresh database works
        Assert.Single(reopened.ListRuns());
        SqliteConnection.ClearAllPools();
        using var third = db.Open();
        Assert.Null(third.Quarantined); // and passes the check next time
    }

    [Fact]
    public void ADatabaseWithADamagedSchemaPageIsMovedAsideToo()
    {
        using (var store = db.Open()) FillWithRuns(store, 50);
        SqliteFiles.Checkpoint(db.Path);
        using (var file = new FileStream(db.Path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 100; // inside page 1, after the 100-byte header: the schema table
            file.Write(Garbage(3000));
        }
        using var reopened = db.Open();
        Assert.NotNull(reopened.Quarantined);
        Assert.Empty(reopened.ListRuns());
    }

    [Fact]
    public void AFileThatIsNotADatabaseIsRefusedNamingItAndLeftAlone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(db.Path)!);
        File.WriteAllText(db.Path, "id,name\n1,my results\n");
        var e = Assert.Throws<RunStoreOpenException>(db.Open);
        Assert.Contains(db.Path, e.Message);
        Assert.Contains("not a SQLite database", e.Message);
        Assert.Contains("ContinualLearning:DatabasePath", e.Message);
        Assert.Equal("id,name\n1,my results\n", File.ReadAllText(db.Path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(db.Path)!));
    }

    [Fact]
    public void APathWhoseFolderIsAFileIsRefusedNamingTheFolder()
    {
        Directory.CreateDirectory(db.Folder);
        var blocker = Path.Combine(db.Folder, "sub");
        File.WriteAllText(blocker, "a file where the folder should be");
        var e = Assert.Throws<RunStoreOpenException>(db.Open);
        Assert.Contains(blocker, e.Message);
        Assert.Contains("ContinualLearning:DatabasePath", e.Message);
    }

    [FactNeedingAMount]
    public void AReadOnlyFolderIsRefusedAtOpenNamingTheFile()
    {
        using var mount = SmallDisk.Mount(1024 * 1024);
        var path = Path.Combine(mount.Folder, "runs.db");
        using (var store = RunStore.Open(path)) store.AddRun("a", Small, DateTimeOffset.UtcNow);
        SqliteConnection.ClearAllPools();
        mount.MakeReadOnly();
        var e = Assert.Throws<RunStoreOpenException>(() => RunStore.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Cannot", e.Message);
        Assert.Contains("ContinualLearning:DatabasePath", e.Message);
    }

    [FactNeedingAMount]
    public void AFullDiskRefusesWritesAndTheStoreRecoversWhenSpaceIsFreed()
    {
        using var mount = SmallDisk.Mount(2 * 1024 * 1024);
        using var store = RunStore.Open(Path.Combine(mount.Folder, "runs.db"));
        store.AddRun("before", Small, DateTimeOffset.UtcNow);
        var filler = Path.Combine(mount.Folder, "filler");
        using (var fill = File.Create(filler))
        {
            var block = new byte[64 * 1024];
            try { while (true) { fill.Write(block); fill.Flush(); } }
            catch (IOException) { } // the disk is full now
        }
        // Enough events to need new pages beyond what SQLite may have free.
        var events = Enumerable.Range(1, 2000).Select(i => new RunEvent
        {
            RunId = "before", Seq = i, Kind = i == 1 ? RunEventKind.Started : RunEventKind.Step, Time = DateTimeOffset.UtcNow, Loss = 1.0 / i, Accuracies = [1, 2, 3],
        }).ToArray();
        var e = Assert.Throws<RunStoreUnavailableException>(() => store.AppendEvents("before", events));
        Assert.Equal("the disk is full", e.Reason);
        Assert.Throws<RunStoreUnavailableException>(store.Probe);
        Assert.Equal(0, store.GetSummary("before")!.EventCount); // the failed transaction left nothing behind

        File.Delete(filler);
        Assert.Equal(AppendResult.Stored, store.AppendEvents("before", events));
        store.Probe();
        Assert.Equal(2000, store.GetSummary("before")!.EventCount);
    }

    static void FillWithRuns(IRunStore store, int count)
    {
        var t = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            var id = $"run{i:000}";
            store.AddRun(id, Small, t.AddSeconds(i));
            store.AppendEvents(id, Enumerable.Range(1, 20).Select(s => new RunEvent
            {
                RunId = id, Seq = s, Kind = s == 1 ? RunEventKind.Started : RunEventKind.Step, Time = t, Step = s, Loss = 1.0 / s, Accuracies = [10, 20],
            }).ToArray());
        }
    }


    static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Waits on a condition the recording reaches on its own thread.</summary>
    static async Task WaitUntil(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(5, limit.Token);
    }
}

/// <summary>A test that needs <see cref="SmallDisk"/>: skipped, visibly, where mounting a tmpfs is not permitted.</summary>
public sealed class FactNeedingAMountAttribute : FactAttribute
{
    public FactNeedingAMountAttribute()
    {
        if (!SmallDisk.CanMount.Value)
            Skip = "mounting a small tmpfs is not permitted here (needs root on Linux); the injected-fault tests cover the same paths";
    }
}

/// <summary>
/// A small tmpfs mounted for one test, for a real full disk or read-only folder (root writes through chmod, but not
/// through a full or read-only mount).
/// </summary>
sealed class SmallDisk : IDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "cl-small-disk-" + Guid.NewGuid().ToString("n"));

    public static readonly Lazy<bool> CanMount = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { using var disk = Mount(64 * 1024); return true; }
        catch (InvalidOperationException) { return false; }
    });

    public static SmallDisk Mount(long bytes)
    {
        var disk = new SmallDisk();
        Directory.CreateDirectory(disk.Folder);
        if (Run("mount", $"-t tmpfs -o size={bytes} tmpfs {disk.Folder}") != 0)
        {
            Directory.Delete(disk.Folder);
            throw new InvalidOperationException("mount -t tmpfs failed");
        }
        return disk;
    }

    public void MakeReadOnly() => Assert.Equal(0, Run("mount", $"-o remount,ro {Folder}"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Run("umount", Folder);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    static int Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }
}
