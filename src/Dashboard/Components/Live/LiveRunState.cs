using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Dashboard.Components.Live;

/// <summary>A task's training period on the step axis: from its taskStarted step to its taskFinished step (open while it trains).</summary>
public sealed record TaskPeriod(int Task, long Start, long? End);

/// <summary>
/// Folds a run's RunEvents (the same stream the hub sends) into what the live view draws, as of its last applied
/// event. Its point lists only grow while it catches up, so a chart drawn from this fold is brought up to date by
/// appending the points it lacks; a view moved back folds anew into a new state.
/// </summary>
public sealed class LiveRunState
{
    readonly List<TaskPeriod> periods = [];
    readonly List<double[]> matrix = [];
    readonly List<long> parameterCounts = [];
    readonly List<(int Task, byte[][] Images)> generated = [];
    double? smoothed;
    long? currentTaskSteps;

    public RunPlan? Plan { get; private set; }
    public int TaskCount => Plan?.TaskClasses.Length ?? 0;
    public long Step { get; private set; }
    public long PlannedSteps => Plan?.StepsPerTask.Sum() ?? 0;
    public int? CurrentTask { get; private set; }
    public long LastSeq { get; private set; }
    public RunEvent? Terminal { get; private set; }
    public RunResult? Result => Terminal?.Result;
    public int[]? Predictions { get; private set; }
    public double[]? LatestAccuracies { get; private set; }
    public int? MemorySize { get; private set; }
    public int[]? MemorySample { get; private set; }
    public int EvaluationCount { get; private set; }
    /// <summary>Per task (by index, in order of taskStarted): the parameters the model uses from that task on.</summary>
    public IReadOnlyList<long> ParameterCounts => parameterCounts;
    /// <summary>Generative replay: the generator's samples after each finished task (task index, 8-bit grayscale images).</summary>
    public IReadOnlyList<(int Task, byte[][] Images)> GeneratedSamples => generated;
    /// <summary>Generative replay: the generator's latest samples during training (same latent codes each time, so they evolve in place).</summary>
    public (long Step, byte[][] Images)? LiveGenerated { get; private set; }
    public IReadOnlyList<TaskPeriod> Periods => periods;
    public IReadOnlyList<double[]> MatrixRows => matrix;

    /// <summary>Every chart point so far: loss per step (raw and smoothed) and each task's test accuracy per evaluation.</summary>
    public IReadOnlyList<(long X, double Y)> LossPoints => lossPoints;
    public IReadOnlyList<(long X, double Y)> SmoothedLossPoints => smoothedLossPoints;
    public IReadOnlyList<IReadOnlyList<(long X, double Y)>> AccuracyPoints => accuracyPoints;

    readonly List<(long X, double Y)> lossPoints = [], smoothedLossPoints = [];
    readonly List<List<(long X, double Y)>> accuracyPoints = [];

    /// <summary>Exponential moving average weight of the smoothed loss line.</summary>
    public const double Smoothing = 0.9;

    /// <summary>The run as of its first <paramref name="count"/> events (a view moved back in time folds again from seq 1).</summary>
    public static LiveRunState AsOf(IReadOnlyList<RunEvent> events, int count)
    {
        var state = new LiveRunState();
        state.CatchUp(events, count);
        return state;
    }

    /// <summary>Applies the events after the last one applied, up to the first <paramref name="count"/> of the log.</summary>
    public void CatchUp(IReadOnlyList<RunEvent> events, int count)
    {
        for (int i = (int)LastSeq; i < count; i++) Apply(events[i]);
    }

    public void Apply(RunEvent e)
    {
        if (e.Seq != LastSeq + 1) throw new InvalidOperationException($"Event {e.Seq} after {LastSeq}: the stream has a gap.");
        LastSeq = e.Seq;
        if (e.Step is { } step) Step = step;
        switch (e.Kind)
        {
            case RunEventKind.Started:
                Plan = e.Plan;
                for (int t = 0; t < TaskCount; t++) accuracyPoints.Add([]);
                break;
            case RunEventKind.TaskStarted:
                CurrentTask = e.Task;
                periods.Add(new TaskPeriod(e.Task ?? 0, e.Step ?? Step, null));
                currentTaskSteps = e.TaskSteps;
                if (e.ParameterCount is { } count) parameterCounts.Add(count);
                break;
            case RunEventKind.Step when e.Loss is { } loss:
                lossPoints.Add((Step, loss));
                smoothed = smoothed is null ? loss : Smoothing * smoothed.Value + (1 - Smoothing) * loss;
                smoothedLossPoints.Add((Step, smoothed.Value));
                break;
            case RunEventKind.Evaluation:
                EvaluationCount++;
                if (e.Accuracies is { } acc)
                {
                    LatestAccuracies = acc;
                    for (int t = 0; t < Math.Min(acc.Length, accuracyPoints.Count); t++) accuracyPoints[t].Add((Step, acc[t]));
                }
                if (e.Predictions is not null) Predictions = e.Predictions;
                if (e.GeneratedImages is { Length: > 0 } live) LiveGenerated = (Step, live);
                break;
            case RunEventKind.TaskFinished:
                if (periods.Count > 0) periods[^1] = periods[^1] with { End = e.Step ?? Step };
                if (e.Accuracies is not null) matrix.Add(e.Accuracies);
                if (e.MemorySample is not null) { MemorySample = e.MemorySample; MemorySize = e.MemorySize; }
                if (e.GeneratedImages is { Length: > 0 } images) generated.Add((e.Task ?? matrix.Count - 1, images));
                break;
            case RunEventKind.Finished or RunEventKind.Failed or RunEventKind.Cancelled:
                Terminal = e;
                break;
        }
    }

    /// <summary>Share of the run done, by tasks: finished tasks plus the current task's share of its steps (exact from
    /// taskStarted; the plan's count only for older event streams that lack it).</summary>
    public double Progress()
    {
        if (Plan is null || TaskCount == 0) return 0;
        double done = matrix.Count;
        if (periods.Count > matrix.Count && periods[^1] is { End: null } current && current.Task < Plan.StepsPerTask.Length)
            done += Math.Min(1, (Step - current.Start) / (double)Math.Max(1, currentTaskSteps ?? Plan.StepsPerTask[current.Task]));
        return Math.Min(1, done / TaskCount);
    }

    /// <summary>The metrics of the square part of the matrix filled so far (tasks 1..k after training task k).</summary>
    public (double Average, double Forgetting, double Bwt)? MetricsSoFar()
    {
        int k = matrix.Count;
        if (k == 0) return null;
        var square = matrix.Select(row => row.Take(k).ToArray()).ToArray();
        return (ContinualMetrics.AverageAccuracy(square), ContinualMetrics.Forgetting(square), ContinualMetrics.BackwardTransfer(square));
    }

    /// <summary>"Task 2: 5-9" for digits; class names when they are words ("Task 1: Sandal, Bag").</summary>
    public string TaskLabel(int task)
    {
        if (Plan is null || task >= Plan.TaskClasses.Length) return $"Task {task + 1}";
        var classes = Plan.TaskClasses[task];
        bool digits = classes.All(k => k < Plan.ClassNames.Length && Plan.ClassNames[k] == k.ToString());
        return $"Task {task + 1}: " + (digits ? ContinualLearning.Engine.Tasks.TaskSplit.Format([classes]) : string.Join(", ", classes.Select(k => Plan.ClassNames[k])));
    }
}
