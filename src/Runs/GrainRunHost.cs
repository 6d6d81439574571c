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
/// the pages, the hub's watchers and the recorder here all read that copy, so a run is streamed across the cluster once
/// per web node however many people watch it. A lost stream is resumed from the last event held; when the grain no
/// longer holds the run (its silo died) or cannot be reached for a while, the copy ends as interrupted.
/// </summary>
public sealed class GrainRunHost(IGrainFactory grains, IClusterMembershipService membership, IHostApplicationLifetime lifetime,
    ILogger<GrainRunHost> logger) : IRunHost
{
    public const string LostMessage = "The worker training this run stopped; the curves show what was received before it did.";

    /// <summary>Pauses between attempts to reach a run whose stream broke: about 45 s in all, past Orleans' detection of a dead silo.</summary>
    static readonly TimeSpan[] Retries = [.. Enumerable.Repeat(TimeSpan.FromSeconds(1), 5), .. Enumerable.Repeat(TimeSpan.FromSeconds(4), 10)];

    public async Task Train(TrainingRun run, RunBudget budget)
    {
        var grain = grains.GetGrain<IRunGrain>(run.Id);
        if (run.Control.IsCancellationRequested) { run.Execute(); return; } // cancelled as it left the queue: ends here
        if (!await StartOnAWorker(run, grain, budget)) return;
        run.MirrorStarted(DateTimeOffset.UtcNow);
        using var forward = run.Control.Token.Register(() => grain.Cancel().ContinueWith(t =>
            logger.LogWarning(t.Exception, "Run {Id}: the cancel did not reach it", run.Id), TaskContinuationOptions.OnlyOnFaulted));
        int eventsAtLastBreak = -1;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await foreach (var chunk in grain.Watch(run.Events.Count + 1))
                    run.Mirror(JsonSerializer.Deserialize<RunEvent[]>(chunk, EngineJson.Options) ?? []);
                if (run.Events.IsComplete) return;
                // The stream ended without the run's end: this activation does not hold the run (a fresh one after its silo died).
                logger.LogWarning("Run {Id}: its host was lost after {Count} events", run.Id, run.Events.Count);
                break;
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
                break;
            }
        }
        run.MirrorInterrupted(LostMessage);
    }

    /// <summary>
    /// Activates the run grain on the worker with the most free slots (a placement hint) and starts it there. Until
    /// membership declares a killed worker dead (seconds), it can still be picked or still own the grain's directory
    /// entry, so a failed start is tried again on a fresh pick within <see cref="WorkerPatience"/>: a run that had not
    /// started goes to another worker instead of ending interrupted. Start is idempotent per activation. False when the
    /// run ended here (cancelled, or no worker could start it).
    /// </summary>
    async Task<bool> StartOnAWorker(TrainingRun run, IRunGrain grain, RunBudget budget)
    {
        var deadline = DateTime.UtcNow + WorkerPatience;
        while (true)
        {
            var worker = await PickWorker(run);
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

    /// <summary>How long a run that left the queue waits for a worker silo to appear (a cluster starting up) before it gives up.</summary>
    static readonly TimeSpan WorkerPatience = TimeSpan.FromSeconds(60);

    /// <summary>The active worker silo with the smallest busy share of its slots (ties: the most free slots), or null when none answers in time.</summary>
    async Task<SiloAddress?> PickWorker(TrainingRun run)
    {
        var deadline = DateTime.UtcNow + WorkerPatience;
        while (true)
        {
            var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
            var loads = await Task.WhenAll(silos.Select(LoadOf));
            var best = loads.Where(l => l.Load is not null)
                .OrderBy(l => l.Load!.Busy).ThenByDescending(l => l.Load!.Slots - l.Load!.Assigned).Select(l => l.Silo).FirstOrDefault();
            if (best is not null || DateTime.UtcNow > deadline || run.Control.IsCancellationRequested) return best;
            logger.LogWarning("Run {Id}: no worker silo is up yet; waiting for one", run.Id);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    async Task<(SiloAddress Silo, WorkerLoad? Load)> LoadOf(SiloAddress silo)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try { return (silo, await grains.GetGrain<IWorkerGrain>(silo.ToParsableString()).Load().WaitAsync(TimeSpan.FromSeconds(10))); }
        catch (Exception e)
        {
            logger.LogDebug(e, "Worker {Silo} did not say its load", silo);
            return (silo, null);
        }
        finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
    }
}
