using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Tasks;

namespace ContinualLearning.Engine.Config;

/// <summary>
/// Limits on what one run may cost, checked by <see cref="ConfigValidator"/> before a run is queued. The defaults suit
/// a 2-core, 24 GB machine: 1 GB of model state, 30 minutes of compute, 200,000 events.
/// </summary>
public sealed record RunBudget(double ModelStateMB = 1024, double ComputeMinutes = 30, long Events = 200_000)
{
    public static RunBudget Default { get; } = new();

    /// <summary>No limit: the field rules alone (for tools that show an estimate rather than enforce it).</summary>
    public static RunBudget Unlimited { get; } = new(double.MaxValue, double.MaxValue, long.MaxValue);

    /// <summary>What is wrong with the budget itself (a setting an operator typed), or null.</summary>
    public string? Problem() =>
        !(double.IsFinite(ModelStateMB) && ModelStateMB > 0) ? "ModelStateMB must be a number greater than 0"
        : !(double.IsFinite(ComputeMinutes) && ComputeMinutes > 0) ? "ComputeMinutes must be a number greater than 0"
        : Events <= 0 ? "Events must be greater than 0"
        : null;
}

/// <summary>
/// What a run will cost, estimated from its config alone (data set sizes come from the catalog's entries; nothing is
/// loaded): the memory its model and strategy keep, its training steps, its compute time on this kind of machine and
/// the events it will append. Estimates are deliberately simple and a little generous: they exist to refuse configs
/// that would take the machine for hours or gigabytes, not to predict a run to the second.
/// </summary>
/// <remarks>
/// Compute model (calibrated on the 2-core development machine, see docs/benchmarks.md "Run cost model"):
/// seconds ≈ Σ over steps (<see cref="SecondsPerMac"/> · multiply-adds of the step + <see cref="SecondsPerStep"/>)
/// + evaluations, Fisher estimates and end-of-task tests priced the same way.
/// </remarks>
public sealed record RunCostEstimate
{
    /// <summary>Seconds per multiply-add (or elementwise operation) on one torch thread; see docs/benchmarks.md.</summary>
    public const double SecondsPerMac = 5e-11;
    /// <summary>Fixed cost of one step (a dozen torch calls, the optimizer, the step event).</summary>
    public const double SecondsPerStep = 0.5e-3;
    /// <summary>Fixed cost of a small forward/backward such as one Fisher sample or one evaluated task.</summary>
    public const double SecondsPerSmallPass = 0.1e-3;
    /// <summary>Building one image's input (bytes to floats, permutation) for training or evaluation.</summary>
    public const double SecondsPerSampleRead = 1e-6;
    const double BytesPerFloat = 4;
    const int PreviewImages = 24;

    /// <summary>Weights, gradients and optimizer state of the classifier (all PNN columns).</summary>
    public double ModelBytes { get; init; }
    /// <summary>What the strategy keeps beside the model: Fishers and anchors, SI's ω, frozen copies, the generator, memories.</summary>
    public double StrategyBytes { get; init; }
    /// <summary>Activations of one training batch (and its backward pass) or one evaluation chunk.</summary>
    public double ActivationBytes { get; init; }
    public double ModelStateBytes => ModelBytes + StrategyBytes + ActivationBytes;

    public int Tasks { get; init; }
    public double Parameters { get; init; }
    public double TotalSteps { get; init; }
    public double ComputeSeconds { get; init; }
    public double Events { get; init; }
    public double EvaluationEvents { get; init; }

    /// <summary>The estimate for a config whose fields are already valid (ConfigValidator checks them first).</summary>
    public static RunCostEstimate For(RunConfig c, DataSetEntry data)
    {
        var split = TaskSplit.Parse(c.Tasks);
        int classes = data.ClassNames.Length, pixels = data.ImageSide * data.ImageSide;
        bool domain = Scenarios.IsPermuted(c);
        int taskCount = domain ? c.Permutations : split.Length;
        // Split domain-incremental: one shared head of a task's size (labels are positions within a task).
        int outputs = Scenarios.IsSplitDomain(c) ? split[0].Length : classes;
        // Samples of each task (classes are about balanced in these data sets).
        double[] train = Enumerable.Range(0, taskCount).Select(t => (double)data.TrainCount * (domain ? split[0] : split[t]).Length / classes).ToArray();
        double[] test = Enumerable.Range(0, taskCount).Select(t => (double)data.TestCount * (domain ? split[0] : split[t]).Length / classes).ToArray();

        var widths = new[] { pixels }.Concat(c.HiddenSizes).Append(outputs).ToArray();
        bool pnn = c.Strategy == "pnn";
        double columnParameters = Dense(widths), lateralParameters = pnn ? Laterals(widths) : 0;
        double parameters = pnn ? taskCount * columnParameters + lateralParameters * taskCount * (taskCount - 1) / 2.0
            : ClassifierParameters(c.Model, widths, data.ImageSide, outputs);
        // Multiply-adds of one sample's forward pass through the classifier (PNN: all columns up to the last task).
        double forward = pnn ? parameters : ClassifierMacs(c.Model, widths, data.ImageSide, outputs);
        double activationsPerSample = Activations(c.Model, widths, data.ImageSide) * (pnn ? taskCount : 1);

        double optimizerCopies = c.Optimizer == "adam" ? 2 : c.Momentum > 0 ? 1 : 0;
        double trained = pnn ? columnParameters + lateralParameters * (taskCount - 1) : parameters;
        double modelBytes = BytesPerFloat * (2 * parameters + optimizerCopies * trained);

        double vae = 2.0 * pixels * c.GeneratorHidden + 3.0 * c.GeneratorHidden * c.GeneratorLatent + 2.0 * c.GeneratorHidden + 2 * c.GeneratorLatent + pixels;
        double sampleBytes = 8; // a kept memory sample is an index and a task number
        double strategyBytes = c.Strategy switch
        {
            "ewc" => BytesPerFloat * parameters * (c.EwcMode == "online" ? 4 : 2.0 * taskCount), // Fisher + anchor per kept penalty
            "si" => BytesPerFloat * parameters * 6, // ω, anchor, path integral, task start, last gradient, last weights
            "lwf" => BytesPerFloat * parameters, // the frozen previous model
            // two flat gradients and the memory of every task but the last
            "agem" => BytesPerFloat * parameters * 2 + sampleBytes * Agem.MemoryAfter(c, Enumerable.Range(0, taskCount - 1).Select(t => (domain ? split[0] : split[t]).Length)),
            "generative-replay" => BytesPerFloat * (parameters + 5 * vae), // previous solver; VAE, its gradients, Adam, previous VAE
            "replay" => sampleBytes * c.ReplayRatio * train.Sum(),
            "replay-reservoir" or "er" => sampleBytes * c.MemoryPerClass * classes,
            "der" => (sampleBytes + BytesPerFloat * outputs) * c.MemoryPerClass * classes, // each memory sample keeps its logits
            _ => 0,
        };
        // Strategies that push a second batch (memory or generated) through the model; der pushes two memory batches.
        double batchCopies = c.Strategy switch
        {
            "replay-reservoir" or "agem" or "generative-replay" or "lwf" or "er" => 2,
            "der" => 3,
            _ => 1,
        };
        double activationBytes = BytesPerFloat * activationsPerSample * Math.Max(3 * c.BatchSize * batchCopies, 1000);

        // Steps: whole epochs over what each task trains on (replay and joint lengthen later tasks), or a fixed count.
        var steps = new double[taskCount];
        for (int t = 0; t < taskCount; t++)
        {
            double samples = c.Strategy switch
            {
                "replay" => train[t] + c.ReplayRatio * train.Take(t).Sum(),
                "joint" => train.Take(t + 1).Sum(),
                _ => train[t],
            };
            steps[t] = c.IterationsPerTask ?? c.Epochs * Math.Ceiling(samples / c.BatchSize);
        }
        double totalSteps = steps.Sum();

        // Forward-pass equivalents per training sample: forward + backward ≈ 3 forwards, plus what the strategy adds.
        double perSample = c.Strategy switch
        {
            "lwf" => 7, // a second forward/backward of the current model and the old model's forward
            "agem" or "replay-reservoir" or "er" => 6, // a memory batch as large as the current one
            "der" => 10, // two memory batches (logits, labels) and a forward of the current batch for the logits it keeps
            "generative-replay" => 7 + 7 * vae / Math.Max(1, forward),
            _ => 3,
        };
        // Elementwise work per step over all parameters (penalties, SI's bookkeeping, A-GEM's projection).
        double perStepElementwise = c.Strategy switch
        {
            "ewc" => 4 * parameters * (c.EwcMode == "online" ? 1 : (taskCount - 1) / 2.0),
            "si" => 10 * parameters,
            "agem" => 6 * parameters,
            _ => 0,
        };
        double evaluatedSamples = taskCount * (double)c.EvalSamplesPerTask + PreviewImages;
        double evaluationsPerTask(double s) => Math.Floor(s / c.EvalEvery) + 1;
        double evaluations = 1 + steps.Sum(evaluationsPerTask);
        // The untrained model on every task's test set (forward transfer's reference).
        double seconds = test.Sum() * (SecondsPerMac * forward + SecondsPerSampleRead) + SecondsPerSmallPass * taskCount;
        for (int t = 0; t < taskCount; t++)
        {
            double stepMacs = pnn
                ? 3 * c.BatchSize * (t + 1) * columnParameters + 3 * c.BatchSize * lateralParameters * t * (t + 1) / 2.0
                : perSample * c.BatchSize * forward + perStepElementwise;
            seconds += steps[t] * (SecondsPerMac * stepMacs + SecondsPerStep + SecondsPerSampleRead * c.BatchSize * batchCopies);
            seconds += evaluationsPerTask(steps[t]) * (evaluatedSamples * (SecondsPerMac * forward + SecondsPerSampleRead) + SecondsPerSmallPass * taskCount);
            seconds += test.Sum() * (SecondsPerMac * forward + SecondsPerSampleRead) + SecondsPerSmallPass * taskCount; // the accuracy matrix row
            bool moreTasksFollow = t < taskCount - 1; // no end-of-task work after the last task
            if (c.Strategy == "ewc" && moreTasksFollow) seconds += c.FisherSamples * (SecondsPerMac * 3 * forward + SecondsPerSmallPass + SecondsPerSampleRead);
            if (c.Strategy == "generative-replay" && moreTasksFollow) // the generator's extra iterations at the task's end
                seconds += (GenerativeReplay.IterationRatio.Number(c) - 1) * steps[t] * (SecondsPerMac * 7 * c.BatchSize * vae + SecondsPerStep);
        }
        double events = totalSteps + evaluations + 2.0 * taskCount + 2; // steps, evaluations, task started/finished, started, the end

        return new RunCostEstimate
        {
            ModelBytes = modelBytes, StrategyBytes = strategyBytes, ActivationBytes = activationBytes,
            Tasks = taskCount, Parameters = parameters, TotalSteps = totalSteps, ComputeSeconds = seconds,
            Events = events, EvaluationEvents = evaluations,
        };
    }

    /// <summary>The budget's verdict: one error per exceeded limit, naming the field most responsible.</summary>
    public IEnumerable<ConfigError> Check(RunConfig c, RunBudget budget)
    {
        double limitBytes = budget.ModelStateMB * 1024 * 1024;
        string tasksField = Scenarios.IsPermuted(c) ? "permutations" : "tasks";
        if (ModelStateBytes > limitBytes)
        {
            var (field, advice) = c.Strategy switch
            {
                "pnn" => ("hiddenSizes", $"progressive nets add a column per task: lower hiddenSizes or the number of tasks ({tasksField})"),
                "ewc" when c.EwcMode == "separate" && StrategyBytes > ModelBytes => ("ewcMode", $"use ewcMode online (one Fisher instead of one per task), lower hiddenSizes or the number of tasks ({tasksField})"),
                _ when ActivationBytes > ModelBytes + StrategyBytes => ("batchSize", "lower batchSize or hiddenSizes"),
                _ when c.Model == "mlp" => ("hiddenSizes", "lower hiddenSizes"),
                _ => ("budget", "choose a smaller model or strategy"),
            };
            yield return new(field, $"model state would need about {Bytes(ModelStateBytes)} (limit {Bytes(limitBytes)}): {advice}");
        }
        double limitSeconds = budget.ComputeMinutes * 60;
        // Training always runs at full speed (pace only sets how fast viewers replay it), so compute alone counts.
        if (ComputeSeconds > limitSeconds)
        {
            string stepsField = c.IterationsPerTask is not null ? "iterationsPerTask" : "epochs";
            yield return new(stepsField, $"{TotalSteps:N0} training steps would take about {Duration(ComputeSeconds)} of compute (limit {Duration(limitSeconds)}): lower {stepsField}, the number of tasks ({tasksField}) or the model's size");
        }
        if (Events > budget.Events)
        {
            bool evaluationsDominate = EvaluationEvents > TotalSteps;
            string field = evaluationsDominate ? "evalEvery" : c.IterationsPerTask is not null ? "iterationsPerTask" : "epochs";
            yield return new(field, $"the run would produce about {Events:N0} events (limit {budget.Events:N0}): " +
                (evaluationsDominate ? "raise evalEvery" : $"train fewer steps (lower {field} or the number of tasks)"));
        }
    }

    /// <summary>One set of PNN lateral adapters (no bias) from an earlier column into every layer after the first.</summary>
    static double Laterals(int[] widths) => Enumerable.Range(1, widths.Length - 2).Sum(l => (double)widths[l] * widths[l + 1]);

    static double Dense(int[] widths) => Enumerable.Range(0, widths.Length - 1).Sum(l => (double)widths[l] * widths[l + 1] + widths[l + 1]);

    static double ClassifierParameters(string model, int[] widths, int side, int classes) => model switch
    {
        "linear" => Dense([widths[0], classes]),
        "mlp" => Dense(widths),
        _ => CnnLayers(side, classes).Parameters,
    };

    static double ClassifierMacs(string model, int[] widths, int side, int classes) => model switch
    {
        "linear" => (double)widths[0] * classes,
        "mlp" => Enumerable.Range(0, widths.Length - 1).Sum(l => (double)widths[l] * widths[l + 1]),
        _ => CnnLayers(side, classes).Macs,
    };

    /// <summary>Floats a sample's forward pass keeps for the backward pass (layer outputs and activations).</summary>
    static double Activations(string model, int[] widths, int side) => model switch
    {
        "linear" => widths[0] + widths[^1],
        "mlp" => widths[0] + 2.0 * widths[1..^1].Sum() + widths[^1],
        _ => side * side * (1 + 16 * 2 + 16 / 4.0 + 32 * 2 / 4.0 + 32 / 16.0) + 2 * 128 + widths[^1],
    };

    /// <summary>ModelFactory's cnn: conv 5x5 1→16, pool, conv 5x5 16→32, pool, dense 128, out.</summary>
    static (double Parameters, double Macs) CnnLayers(int side, int classes)
    {
        double pixels = side * side, pooled = (side / 4) * (side / 4);
        double parameters = 16 * 25 + 16 + 32 * 16 * 25 + 32 + 32 * pooled * 128 + 128 + 128.0 * classes + classes;
        double macs = pixels * 16 * 25 + pixels / 4 * 32 * 16 * 25 + 32 * pooled * 128 + 128.0 * classes;
        return (parameters, macs);
    }

    /// <summary>"11.2 GB", "640 MB".</summary>
    public static string Bytes(double bytes) =>
        bytes >= 1024.0 * 1024 * 1024 ? $"{bytes / (1024.0 * 1024 * 1024):0.#} GB" : $"{bytes / (1024.0 * 1024):0} MB";

    /// <summary>"42 minutes", "3.5 hours", "19 days".</summary>
    public static string Duration(double seconds) =>
        seconds >= 2 * 86400 ? $"{seconds / 86400:0} days"
        : seconds >= 2 * 3600 ? $"{seconds / 3600:0.#} hours"
        : seconds >= 120 ? $"{seconds / 60:0} minutes"
        : $"{seconds:0} seconds";
}
