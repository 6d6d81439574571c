using System.Text.Json;
using ContinualLearning.Engine;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ContinualLearning.Runs;

/// <summary>
/// Trains each run on its run grain (in this silo or a worker's) and feeds this process's copy from ONE watch stream:
/// the pages and the hub's watchers here read that copy, so a run is streamed across the cluster once per web node
/// however many people watch it. The grain's silo records the run; this node follows how that recording goes (the
/// "not saved" notice, and when the copy may leave memory). A lost stream is resumed from the last event held; when the
/// grain no longer holds the run (its silo died) or cannot be reached for a while, the copy takes what the store
/// holds beyond it and ends as interrupted, and that end is stored from here.
/// </summary>
/// <param name="recorder">The run history (none in tests that need no database).</param>
public sealed class GrainRunHost(IGrainFactory grains, IClusterMembershipService membership, IHostApplicationLifetime lifetime,
    ILogger<GrainRunHost> logger, IRunRecorder? recorder = null) : IRunHost
{
    public const string LostMessage = "The worker training this run stopped; the curves show what was received before it did.";

    /// <summary>Pauses between attempts to reach a run whose stream broke: about 45 s in all, past Orleans' detection of a dead silo.</summary>
    static readonly TimeSpan[] Retries = [.. Enumerable.Repeat(TimeSpan.FromSeconds(1), 5), .. Enumerable.Repeat(TimeSpan.FromSeconds(4), 10)];

    public async Task Train(TrainingRun run, RunBudget budget)
    {
        var grain = grains.GetGrain<IRunGrain>(run.Id);
        if (run.Control.IsCancellationRequested) { run.Execute(); return; } // cancelled as it left the queue: ends here
        if (!await StartOnAWorker(run, grain, budget)) return;
        await Follow(run);
    }

    /// <summary>
    /// Feeds this node's copy of a run that a worker's run grain has started (here or by the cluster's queue) from that
    /// grain, until the copy has ended; the grain's silo records the run. Completes when the copy has ended.
    /// </summary>
    public async Task Follow(TrainingRun run)
    {
        var grain = grains.GetGrain<IRunGrain>(run.Id);
        recorder?.RecordedElsewhere(run);
        run.MirrorStarted(DateTimeOffset.UtcNow);
        if (recorder is not null) _ = FollowRecording(run, grain, recorder); // outlives Train: the slot is free once the run ends
        if (!await Stream(run, grain)) Lost(run);
    }

    /// <summary>
    /// Attaches this node's copy of a run that another node submitted and that is queued or running (the store says
    /// so) to its grain: waits while it is queued, then feeds the copy from the grain's watch stream, so pages, hub and
    /// REST here show its complete ordered history then its live events. Cancelling the copy cancels the run. The
    /// submitting node stores the run's end should its silo be lost; this copy then takes the stored end, or ends as
    /// interrupted if none comes in time. Completes when the copy has ended.
    /// </summary>
    public async Task Watch(TrainingRun run)
    {
        var grain = grains.GetGrain<IRunGrain>(run.Id);
        var stopping = lifetime.ApplicationStopping;
        try
        {
            // Queued on the node that submitted it: nothing to stream until a worker starts it.
            while (recorder?.StoredSummary(run.Id) is { Status: RunStatus.Queued } && !run.Control.IsCancellationRequested)
                await Task.Delay(RecordingPoll, stopping);
            if (await Stream(run, grain)) return;
            // No grain holds it: it ended (the activation is gone) or its silo was lost; the store has its history.
            for (int wait = 0; wait < 60 && !TakeStored(run) && recorder?.StoredSummary(run.Id) is { Status: RunStatus.Running }; wait++)
                await Task.Delay(RecordingPoll, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        catch (Exception e) { logger.LogWarning("Run {Id}: watching it from here failed ({Error})", run.Id, e.Message); }
        if (!TakeStored(run)) run.MirrorInterrupted(LostMessage);
    }

    /// <summary>Mirrors the stored events the copy lacks; true when the copy has ended.</summary>
    public bool TakeStored(TrainingRun run)
    {
        if (recorder is not null && !run.Events.IsComplete)
        {
            try { run.Mirror(recorder.StoredEvents(run.Id, run.Events.Count + 1)); }
            catch (Exception e) { logger.LogWarning("Run {Id}: its stored events could not be read ({Error})", run.Id, e.Message); }
        }
        return run.Events.IsComplete;
    }

    /// <summary>
    /// Feeds the copy from the grain's watch stream, resuming a broken stream from the last event held. True when the
    /// copy has ended; false when the grain no longer holds the run or cannot be reached for a while.
    /// </summary>
    async Task<bool> Stream(TrainingRun run, IRunGrain grain)
    {
        using var forward = run.Control.Token.Register(() => grain.Cancel().ContinueWith(t =>
            logger.LogWarning(t.Exception, "Run {Id}: the cancel did not reach it", run.Id), TaskContinuationOptions.OnlyOnFaulted));
        int eventsAtLastBreak = -1;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await foreach (var chunk in grain.Watch(run.Events.Count + 1))
                    run.Mirror(JsonSerializer.Deserialize<RunEvent[]>(chunk, EngineJson.Options) ?? []);
                if (run.Events.IsComplete) return true;
                // The stream ended without the run's end: this activation does not hold the run (a fresh one after its silo died).
                logger.LogWarning("Run {Id}: its host was lost after {Count} events", run.Id, run.Events.Count);
                return false;
            }
            catch (Exception e) when (attempt < Retries.Length && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                if (run.Events.Count > eventsAtLastBreak) attempt = 0; // it made progress since: a new break, not the same one
                eventsAtLastBreak = run.Events.Count;
                logger.LogWarning("Run {Id}: its event stream broke ({Error}); resuming from event {Seq}", run.Id, e.Message, run.Events.Count + 1);
                await Task.Delay(Retries[attempt]);
            }
            catch (Exception e)
            {
                if (!lifetime.ApplicationStopping.IsCancellationRequested) logger.LogError(e, "Run {Id}: its host cannot be reached", run.Id);
                return false;
            }
        }
    }

    /// <summary>
    /// The run's grain is lost: the copy takes the events its silo stored beyond what reached here (perhaps its end),
    /// and ends as interrupted unless that held the end; the run history then stores the end from this copy.
    /// </summary>
    void Lost(TrainingRun run)
    {
        TakeStored(run);
        recorder?.Report(run, null); // its silo records it no more
        run.MirrorInterrupted(LostMessage);
    }

    /// <summary>How often this node asks the run's silo how its recording goes.</summary>
    static readonly TimeSpan RecordingPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Asks the grain how the recording of the run goes, each <see cref="RecordingPoll"/>, and tells the run history,
    /// until the run is stored, or its silo records it no more once the copy has ended (or cannot be asked, 10 times in
    /// a row). While the copy goes, the watch stream decides what a silo that does not answer means.
    /// </summary>
    async Task FollowRecording(TrainingRun run, IRunGrain grain, IRunRecorder history)
    {
        for (int failures = 0; !lifetime.ApplicationStopping.IsCancellationRequested;)
        {
            try { await Task.Delay(RecordingPoll, lifetime.ApplicationStopping); }
            catch (OperationCanceledException) { return; }
            RecordingState? state;
            try
            {
                state = await grain.Recording().WaitAsync(TimeSpan.FromSeconds(10));
                failures = 0;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Run {Id}: its recording state did not come", run.Id);
                if (!run.Events.IsComplete || ++failures < 10) continue;
                state = null;
            }
            if (state is null && !run.Events.IsComplete) continue;
            try { history.Report(run, state); }
            catch (Exception e) { logger.LogError(e, "Run {Id}: its recording state could not be taken in", run.Id); return; }
            if (state is null || state.Saved || state.Deleted) return;
        }
    }

    /// <summary>
    /// Activates the run grain on the worker with the most free slots (a placement hint) and starts it there. Until
    /// membership declares a killed worker dead (seconds), it can still be picked or still own the grain's directory
    /// entry, so a failed start is tried again on a fresh pick: a run that had not started goes to another worker instead
    /// of ending interrupted. Waiting for a worker and retrying starts share one <see cref="WorkerPatience"/>. Start is
    /// idempotent per activation. False when the run ended here (cancelled, or no worker could start it).
    /// </summary>
    async Task<bool> StartOnAWorker(TrainingRun run, IRunGrain grain, RunBudget budget)
    {
        var deadline = DateTime.UtcNow + WorkerPatience;
        while (true)
        {
            var worker = await PickWorker(run, deadline);
            if (worker is null)
            {
                if (run.Control.IsCancellationRequested) run.Execute(); // cancelled while waiting for a worker: ends as cancelled
                else run.MirrorInterrupted("No worker was available to train this run.");
                return false;
            }
            RequestContext.Set(IPlacementDirector.PlacementHintKey, worker);
            try
            {
                await grain.Start(RunStart.For(run, budget));
                return true;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && !run.Control.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                logger.LogWarning("Run {Id}: worker {Worker} could not start it ({Error}); trying another", run.Id, worker, e.Message);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Run {Id} could not be started", run.Id);
                if (run.Control.IsCancellationRequested) run.Execute();
                else run.MirrorInterrupted("No worker could start this run.");
                return false;
            }
            finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>How long a run that left the queue may wait to be started on a worker (a cluster starting up, a worker just lost) before it gives up.</summary>
    static readonly TimeSpan WorkerPatience = TimeSpan.FromSeconds(60);

    /// <summary>The active worker silo with the smallest busy share of its slots (ties: the most free slots), or null when none answers by the deadline.</summary>
    async Task<SiloAddress?> PickWorker(TrainingRun run, DateTime deadline)
    {
        while (true)
        {
            var best = WorkerPlacement.Emptiest(await WorkerPlacement.Loads(grains, membership, logger), freeSlotOnly: false);
            if (best is not null || DateTime.UtcNow > deadline || run.Control.IsCancellationRequested) return best;
            logger.LogWarning("Run {Id}: no worker silo is up yet; waiting for one", run.Id);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
