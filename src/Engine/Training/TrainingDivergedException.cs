namespace ContinualLearning.Engine.Training;

/// <summary>
/// Training stopped because its numbers stopped being finite (the loss, the weights, or values inside a strategy).
/// The message is a sentence for the student: where it happened, what became infinite, and which knob to lower.
/// </summary>
public sealed class TrainingDivergedException(int task, long stepInTask, string what, string advice, Exception? inner = null)
    : Exception(Describe(task, stepInTask, what, advice), inner)
{
    /// <summary>0-based index of the task being trained.</summary>
    public int Task { get; } = task;
    /// <summary>1-based step within that task; 0 = before its first step or in its end-of-task work.</summary>
    public long StepInTask { get; } = stepInTask;

    static string Describe(int task, long stepInTask, string what, string advice) =>
        $"Training diverged {(stepInTask > 0 ? $"at step {stepInTask} of task {task + 1}" : $"at the end of task {task + 1}")}: {what} — {advice}.";
}
