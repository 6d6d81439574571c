using ContinualLearning.Engine.Metrics;

namespace ContinualLearning.Engine.Events;

public enum RunEventKind { Started, TaskStarted, Step, Evaluation, TaskFinished, Finished, Failed, Cancelled }

/// <summary>
/// What a run is about to do, sent with the started event so viewers can lay out charts before data arrives.
/// StepsPerTask is planned from each task's own data; a strategy that adds replayed samples makes later tasks longer,
/// and each taskStarted event then carries the exact count (TaskSteps).
/// </summary>
public sealed record RunPlan(int[][] TaskClasses, long[] StepsPerTask, string[] ClassNames, int[] PreviewTestIndices, long ParameterCount)
{
    /// <summary>
    /// Split domain-incremental only: what each output means ("0/2/4/6/8" = first digit of its task). Predictions are
    /// then positions within a task, not classes; null when outputs are the data set's classes.
    /// </summary>
    public string[]? OutputNames { get; init; }
}

/// <summary>
/// One event of a run's stream. Seq counts 1, 2, 3 … per run with no gaps. Fields not used by a kind are null.
/// This exact record is what the hub streams, the dashboard draws, the CLI shows and the database stores.
/// </summary>
public sealed record RunEvent
{
    public required string RunId { get; init; }
    public long Seq { get; init; }
    public RunEventKind Kind { get; init; }
    public DateTimeOffset Time { get; init; }
    /// <summary>0-based index of the task being trained.</summary>
    public int? Task { get; init; }
    /// <summary>Global training step (batches trained so far in the run).</summary>
    public long? Step { get; init; }
    public double? Loss { get; init; }
    /// <summary>Per-task test accuracy in percent (evaluation: held-out subsets; taskFinished: full test sets, one matrix row).</summary>
    public double[]? Accuracies { get; init; }
    /// <summary>Evaluation: the model's predicted class for each preview image (RunPlan.PreviewTestIndices); a position
    /// within the image's task when RunPlan.OutputNames is set (split domain-incremental).</summary>
    public int[]? Predictions { get; init; }
    /// <summary>taskStarted: the exact number of training steps this task will take.</summary>
    public long? TaskSteps { get; init; }
    /// <summary>taskStarted: parameters the strategy's model uses from this task on (grows per task for progressive networks).</summary>
    public long? ParameterCount { get; init; }
    /// <summary>
    /// Generative replay: 16 images from the generator, 8-bit grayscale, row-major (JSON: base64 strings). taskFinished:
    /// freshly drawn codes; evaluation (every RunDisplay.GeneratedImagesEveryEvaluations-th interval): the same fixed codes
    /// each time, so the images show the generator evolving.
    /// </summary>
    public byte[][]? GeneratedImages { get; init; }
    /// <summary>TaskFinished: how many samples the strategy's replay memory holds (absent for strategies without one).</summary>
    public int? MemorySize { get; init; }
    /// <summary>TaskFinished: train-set indices of a few replay-memory samples, spread over classes, for display.</summary>
    public int[]? MemorySample { get; init; }
    public RunPlan? Plan { get; init; }
    public RunResult? Result { get; init; }
    public string? Message { get; init; }
    /// <summary>
    /// Failed only: the run did not fail, it was cut off (the worker training it died); shown and stored as interrupted,
    /// with the events received before.
    /// </summary>
    public bool? Interrupted { get; init; }

    public bool IsTerminal => Kind is RunEventKind.Finished or RunEventKind.Failed or RunEventKind.Cancelled;

    /// <summary>
    /// The end of a run that was cut off rather than failed (its worker, or the server, stopped): a failed event marked
    /// <see cref="Interrupted"/>, with the sentence users see. Seq and time left out are stamped by the log it joins.
    /// </summary>
    public static RunEvent InterruptedEnd(string runId, string message, long seq = 0, DateTimeOffset time = default) => new()
    {
        RunId = runId, Seq = seq, Kind = RunEventKind.Failed, Time = time, Message = message, Interrupted = true,
    };
}
