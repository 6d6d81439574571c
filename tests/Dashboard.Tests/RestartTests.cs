using ContinualLearning.Dashboard.History;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using ContinualLearning.Runs;
using ContinualLearning.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// The one-process default restarted after a crash: the runs the store holds as queued are queued again and run to their
/// end (owners in turn, as before the crash); the run that was training is interrupted once and not run again.
/// </summary>
public sealed class RestartTests
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    static readonly RunConfig Short = new() { IterationsPerTask = 100, EvalEvery = 50 };

    [Fact]
    public async Task After_a_crash_the_queued_runs_run_to_their_end_and_the_running_one_is_interrupted_once()
    {
        var folder = DashboardServer.NewFolder();
        try
        {
            // The store as a killed server left it: one run training (two events stored), three queued for two owners.
            using (var left = SqliteRunStore.Open(Path.Combine(folder, "runs.db"), LeftGoing.Keep))
            {
                left.AddRuns([
                    new NewRun("running", Short, T0, Owner: "ann"),
                    new NewRun("ann-1", Short with { Seed = 1 }, T0.AddSeconds(1), Owner: "ann"),
                    new NewRun("ann-2", Short with { Seed = 2 }, T0.AddSeconds(2), Owner: "ann"),
                    new NewRun("bob-1", Short with { Seed = 3 }, T0.AddSeconds(3), Owner: "bob"),
                ]);
                left.AppendEvents("running", [
                    new RunEvent { RunId = "running", Seq = 1, Kind = RunEventKind.Started, Time = T0 },
                    new RunEvent { RunId = "running", Seq = 2, Kind = RunEventKind.Step, Time = T0, Task = 0, Step = 1, Loss = 2.3 },
                ]);
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            await using var server = DashboardServer.Start(folder, new Dictionary<string, string> { ["ContinualLearning:Concurrency"] = "1" });
            var store = server.Services.GetRequiredService<RunHistory>().Store;
            Assert.Equal(1, store.InterruptedOnOpen);
            Assert.Null(server.Services.GetRequiredService<IRunRegistry>().Find("running")); // not queued again

            TrainingRun[] requeued = [server.Run("ann-1"), server.Run("ann-2"), server.Run("bob-1")];
            Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], requeued.Select(r => r.CreatedAt)); // as stored
            Assert.Equal(["ann", "ann", "bob"], requeued.Select(r => r.Owner));
            await Task.WhenAll(requeued.Select(r => r.Completion)).WaitAsync(Patience);
            Assert.All(requeued, r => Assert.Equal(RunStatus.Finished, r.Status));
            // One slot, owners in turn as before the crash: ann's first, bob's, then ann's second.
            var started = requeued.OrderBy(r => r.StartedAt).Select(r => r.Id);
            Assert.Equal(["ann-1", "bob-1", "ann-2"], started);

            // Their ends are stored by the runs' recordings; the interrupted run keeps its two events and its one end state.
            using var deadline = new CancellationTokenSource(Patience);
            while (store.ListGoing().Count > 0) await Task.Delay(100, deadline.Token);
            Assert.All(requeued, r => Assert.Equal(RunStatus.Finished, store.GetSummary(r.Id)!.Status));
            var interrupted = store.GetRun("running")!;
            Assert.Equal((RunStatus.Interrupted, RunStore.InterruptedMessage, 2), (interrupted.Summary.Status, interrupted.Summary.Error, interrupted.Events.Count));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
