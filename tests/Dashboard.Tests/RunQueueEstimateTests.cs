using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>
/// The queue's positions and waits without workers running (the queue is not started, so nothing leaves it): fair
/// order across owners, and waits spread over the configured workers.
/// </summary>
public sealed class RunQueueEstimateTests
{
    static readonly DataSetCatalog Catalog = new(Path.Combine(Path.GetTempPath(), "cl-queue-no-downloads"));

    static LocalRunQueue Queue(int workers, int quota = 60) => new(new InMemoryRunRegistry(), Catalog,
        Options.Create(new DashboardOptions { Concurrency = workers, OwnerQueueQuota = quota }), NullLogger<LocalRunQueue>.Instance);

    [Fact]
    public async Task Waits_spread_the_runs_ahead_over_the_workers()
    {
        using var queue = Queue(workers: 2);
        var config = new RunConfig { IterationsPerTask = 500 };
        double each = RunCostEstimate.For(config, Catalog.Entry(config.Dataset)).ComputeSeconds;
        var runs = (await queue.SubmitAllAsync(Enumerable.Repeat(config, 5).ToArray())).Runs;

        var estimates = runs.Select(r => queue.Estimate(r)!).ToArray();

        Assert.Equal([1, 2, 3, 4, 5], estimates.Select(e => e.Position));
        // Two idle workers take the first two at once; the next two wait for one run each, the fifth for two.
        Assert.Equal([0, 0, each, each, 2 * each], estimates.Select(e => e.WaitSeconds), new ToleranceComparer(1e-9));
        Assert.Equal(2, queue.Workers);
    }

    [Fact]
    public async Task A_later_owner_is_placed_by_turn_and_cancelling_moves_everyone_up()
    {
        using var queue = Queue(workers: 1);
        var config = new RunConfig { IterationsPerTask = 200 };
        var sweep = (await queue.SubmitAllAsync(Enumerable.Repeat(config, 4).ToArray(), owner: "a")).Runs;
        var single = (await queue.SubmitAsync(config, owner: "b")).Run!;

        Assert.Equal(2, queue.QueuePosition(single));
        Assert.Equal([1, 3, 4, 5], sweep.Select(r => queue.QueuePosition(r)!.Value));
        Assert.Equal(4, queue.WaitingOf("a"));

        await queue.CancelAsync(sweep[0]);

        Assert.Null(queue.QueuePosition(sweep[0]));
        Assert.Null(queue.Estimate(sweep[0]));
        Assert.Equal(Engine.Training.RunStatus.Cancelled, sweep[0].Status);
        Assert.Equal(1, queue.QueuePosition(sweep[1])); // a keeps its turn with its next run
        Assert.Equal(2, queue.QueuePosition(single));
        Assert.Equal(3, queue.WaitingOf("a"));
    }

    [Fact]
    public async Task A_sweep_past_the_quota_is_refused_whole_with_the_reason()
    {
        using var queue = Queue(workers: 1, quota: 3);
        var config = new RunConfig { IterationsPerTask = 200 };
        Assert.True((await queue.SubmitAllAsync([config, config])).Accepted);

        var refused = await queue.SubmitAllAsync([config, config]);

        Assert.False(refused.Accepted);
        Assert.Equal(QueueLimit.OwnerQuota, refused.Refused?.Limit);
        Assert.Equal(2, queue.WaitingCount); // all or none
        Assert.Equal(3, queue.MaxGroup);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
