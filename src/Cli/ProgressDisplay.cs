using ContinualLearning.Engine.Events;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Cli;

/// <summary>Draws a run's progress on stderr from its event stream (the same events the dashboard shows).</summary>
public static class ProgressDisplay
{
    public static Task FollowAsync(TrainingRun run, TextWriter output) => Task.Run(async () =>
    {
        bool live = !Console.IsErrorRedirected;
        RunPlan? plan = null;
        long[] stepsPerTask = [];
        double? lastLoss = null;
        double[]? lastAccuracies = null;
        await foreach (var chunk in run.Events.ReadChunksAsync())
        {
            foreach (var e in chunk)
            {
                switch (e.Kind)
                {
                    case RunEventKind.Started: plan = e.Plan; stepsPerTask = e.Plan!.StepsPerTask.ToArray(); break;
                    case RunEventKind.TaskStarted when e.TaskSteps is long exact: stepsPerTask[e.Task!.Value] = exact; break;
                    case RunEventKind.Step: lastLoss = e.Loss; break;
                    case RunEventKind.Evaluation: lastAccuracies = e.Accuracies; break;
                    case RunEventKind.TaskFinished:
                        if (live) output.Write("\r\x1b[K");
                        output.WriteLine($"task {e.Task + 1} done at step {e.Step}: accuracy per task {Format(e.Accuracies)}");
                        break;
                }
            }
            var last = chunk[^1];
            if (live && plan is not null && last.Task is int task && !last.IsTerminal)
            {
                long total = stepsPerTask.Sum();
                int width = 24, filled = (int)Math.Min(width, width * (last.Step ?? 0) / Math.Max(1, total));
                output.Write($"\r\x1b[Ktask {task + 1}/{plan.TaskClasses.Length} [{new string('#', filled)}{new string('.', width - filled)}] step {last.Step} loss {lastLoss:0.000} acc {Format(lastAccuracies)}");
            }
        }
    });

    static string Format(double[]? values) => values is null ? "-" : "[" + string.Join(" ", values.Select(v => v.ToString("0.0"))) + "]";
}
