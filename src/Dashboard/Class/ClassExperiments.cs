using System.Globalization;
using ContinualLearning.Dashboard.History;
using ContinualLearning.Dashboard.Identity;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Sweeps;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;
using ContinualLearning.Storage.Export;

namespace ContinualLearning.Dashboard.Class;

/// <summary>
/// Class experiments: the instructor publishes a fixed config with one free parameter and its range; students join
/// with their value (checked by the one ConfigValidator, with the value in place) and train their own run through the
/// run queue (so their quota and the fair order apply); the experiment's curve is read back from the run database, so
/// every web node on one database shows the same one.
/// </summary>
public sealed class ClassExperiments(IRunQueue queue, RunHistory history, DisplayNames names)
{
    /// <summary>At most this many slider positions between min and max.</summary>
    public const int MaxSteps = 1000;
    /// <summary>GET /api/class/experiments and the board list at most this many, the newest.</summary>
    public const int MaxListed = 50;
    const string DefaultParam = "replayRatio";

    IRunStore Store => history.Store;

    public ClassOutcome<ExperimentView> Publish(PublishRequest request, string owner)
    {
        var config = request.Config ?? new RunConfig();
        var param = request.Param ?? DefaultParam;
        if (RunNames.Problem(request.Name) is { } nameProblem) return ClassOutcome<ExperimentView>.Invalid(new ConfigError(RunNames.Field, nameProblem));
        if (!SweepParameters.IsKnown(param))
            return ClassOutcome<ExperimentView>.Invalid(new ConfigError("param", $"must be one of {string.Join(", ", SweepParameters.Names)}"));
        if (SweepParameters.StrategyUsing(param) is not null && StrategyRegistry.ParameterOf(config.Strategy, param) is null)
            return ClassOutcome<ExperimentView>.Invalid(new ConfigError("param", $"{param} is not a parameter of the strategy '{ConfigErrors.Cut(config.Strategy, 40)}', so it would change nothing"));
        var defaults = DefaultRange(config, param);
        double? min = request.Min ?? defaults.Min, max = request.Max ?? defaults.Max;
        var errors = new List<ConfigError>();
        if (min is null) errors.Add(new("min", $"must be given for {param} (it declares no range)"));
        if (max is null) errors.Add(new("max", $"must be given for {param} (it declares no range)"));
        if (errors.Count > 0) return ClassOutcome<ExperimentView>.Invalid([.. errors]);
        bool integer = SweepParameters.IsInteger(param);
        double step = request.Step ?? defaults.Step ?? (integer ? 1 : (max!.Value - min!.Value) / 20);

        if (!double.IsFinite(min!.Value)) errors.Add(new("min", "must be a finite number"));
        if (!double.IsFinite(max!.Value)) errors.Add(new("max", "must be a finite number"));
        if (errors.Count == 0 && min >= max) errors.Add(new("max", $"must be greater than min ({Show(min.Value)})"));
        if (!double.IsFinite(step) || step <= 0) errors.Add(new("step", "must be a number greater than 0"));
        else if (errors.Count == 0 && (max.Value - min.Value) / step > MaxSteps) errors.Add(new("step", $"must leave at most {MaxSteps} values between min and max"));
        if (integer)
            foreach (var (field, v) in new[] { ("min", min.Value), ("max", max.Value), ("step", step) })
                if (double.IsFinite(v) && v != Math.Floor(v)) errors.Add(new(field, $"{param} takes whole numbers"));
        if (errors.Count > 0) return ClassOutcome<ExperimentView>.Invalid([.. errors]);

        // The fixed part once, under its own field names; then each end of the range, as a student's run would be checked.
        var baseErrors = ConfigValidator.Validate(config, queue.Catalog, queue.Budget).Where(e => e.Field != param).ToList();
        errors.AddRange(baseErrors);
        foreach (var (field, v) in new[] { ("min", min.Value), ("max", max.Value) })
            foreach (var e in ConfigValidator.Validate(SweepParameters.With(config, param, v), queue.Catalog, queue.Budget).Where(e => !baseErrors.Contains(e)))
                errors.Add(new(field, $"{Show(v)}: {e.Field} {e.Message}"));
        if (errors.Count > 0) return ClassOutcome<ExperimentView>.Invalid([.. ConfigErrors.Bounded(errors)]);

        var experiment = new StoredExperiment("c" + Guid.NewGuid().ToString("n")[..11], request.Name?.Trim(), owner, DateTimeOffset.UtcNow, null,
            config, param, min.Value, max.Value, step);
        try { Store.AddExperiment(experiment); }
        catch (RunStoreUnavailableException e) { return ClassOutcome<ExperimentView>.Problem(503, "The run database cannot be written", $"{e.Message}; nothing was published. Try again later."); }
        return ClassOutcome<ExperimentView>.Ok(View(experiment.Id)!);
    }

    /// <summary>
    /// The range a parameter's declaration suggests (its slider range, else its allowed range when that is a plain
    /// linear one) and its step; nulls where it declares none (config fields such as learningRate).
    /// </summary>
    public static (double? Min, double? Max, double? Step) DefaultRange(RunConfig config, string param)
    {
        if (StrategyRegistry.ParameterOf(config.Strategy, param) is not { } p) return (null, null, SweepParameters.IsKnown(param) && SweepParameters.IsInteger(param) ? 1 : null);
        (double Low, double High)? range = p.SliderRange ?? (double.IsFinite(p.Max) && p.Max < 1e6 && !p.LogScale ? (p.Min, p.Max) : null);
        double? step = p.Kind == ParameterKind.Integer ? 1 : !p.LogScale && p.Step > 0 ? p.Step : null;
        return (range?.Low, range?.High, step);
    }

    /// <summary>What is wrong with a student's value for this experiment (field "value"), or none.</summary>
    public IReadOnlyList<ConfigError> Check(StoredExperiment experiment, double? value)
    {
        if (value is not { } v) return [new("value", $"must be given: a number between {Show(experiment.Min)} and {Show(experiment.Max)}")];
        if (!double.IsFinite(v) || v < experiment.Min - Tolerance(experiment) || v > experiment.Max + Tolerance(experiment))
            return [new("value", $"must be between {Show(experiment.Min)} and {Show(experiment.Max)}")];
        double steps = (v - experiment.Min) / experiment.Step;
        if (Math.Abs(steps - Math.Round(steps)) > 1e-6)
            return [new("value", $"must be {Show(experiment.Min)} plus a whole number of steps of {Show(experiment.Step)}")];
        // The one validator, with the value in place: a value is refused for exactly the reason a run with it would be.
        return ConfigValidator.Validate(SweepParameters.With(experiment.Config, experiment.Param, Snap(experiment, v)), queue.Catalog, queue.Budget)
            .Select(e => new ConfigError("value", $"{Show(v)}: {e.Field} {e.Message}")).ToArray();
    }

    /// <summary>A student trains their run in the experiment: their value checked, their run queued under their name and linked.</summary>
    public async Task<ClassOutcome<JoinedRun>> JoinAsync(string experimentId, double? value, string owner)
    {
        if (Store.GetExperiment(experimentId) is not { } experiment) return NoSuch<JoinedRun>(experimentId);
        if (!experiment.IsOpen) return Closed<JoinedRun>();
        if (Check(experiment, value) is { Count: > 0 } errors) return new(null, errors, 400);
        double v = Snap(experiment, value!.Value);
        var submission = await queue.SubmitAsync(SweepParameters.With(experiment.Config, experiment.Param, v), owner);
        if (submission.StorageUnavailable is { } storage) return ClassOutcome<JoinedRun>.Problem(503, "The run database cannot be written", storage);
        if (submission.Refused is { } refused)
            return new(null, [], 429, refused.Limit == QueueLimit.OwnerQuota ? "You have as many runs waiting as you may" : "The run queue is full", refused.Message);
        if (!submission.Accepted) return new(null, [.. submission.Errors.Select(e => new ConfigError("value", $"{e.Field} {e.Message}"))], 400);
        var run = submission.Run!;
        bool joined;
        try { joined = Store.JoinExperiment(experiment.Id, run.Id, v, DateTimeOffset.UtcNow); }
        catch (RunStoreUnavailableException e)
        {
            await queue.CancelAsync(run); // a run outside the experiment is not what the student asked for
            return ClassOutcome<JoinedRun>.Problem(503, "The run database cannot be written", $"{e.Message}; the run was cancelled. Try again later.");
        }
        if (!joined)
        {
            await queue.CancelAsync(run); // closed between the check and the link
            return Closed<JoinedRun>();
        }
        return ClassOutcome<JoinedRun>.Ok(new JoinedRun(run.Id, v, "/run/" + run.Id));
    }

    /// <summary>Closes the experiment to new runs; runs already going finish and still land on the curve.</summary>
    public ClassOutcome<ExperimentView> Close(string experimentId)
    {
        try
        {
            if (!Store.CloseExperiment(experimentId, DateTimeOffset.UtcNow)) return NoSuch<ExperimentView>(experimentId);
        }
        catch (RunStoreUnavailableException e) { return ClassOutcome<ExperimentView>.Problem(503, "The run database cannot be written", e.Message); }
        return ClassOutcome<ExperimentView>.Ok(View(experimentId)!);
    }

    public StoredExperiment? Find(string id) => Store.GetExperiment(id);

    public IReadOnlyList<StoredExperiment> List() => Store.ListExperiments(MaxListed);

    /// <summary>The experiment with its runs as stored now: finished runs carry their metrics; the means are per value.</summary>
    public ExperimentView? View(string id)
    {
        if (Store.GetExperiment(id) is not { } e) return null;
        var links = Store.ExperimentRuns(id);
        var summaries = Store.ListRuns(links.Select(l => l.RunId)).ToDictionary(s => s.Id);
        var results = Store.GetResults(summaries.Values.Where(s => s.Status == RunStatus.Finished).Select(s => s.Id));
        var points = links.Where(l => summaries.ContainsKey(l.RunId)).Select(l =>
        {
            var s = summaries[l.RunId];
            var r = results.GetValueOrDefault(l.RunId);
            return new ExperimentPoint(l.RunId, names.Show(s.Owner), l.Value, s.Status,
                r is { AccuracyMatrix: [.., [var task1, ..]] } ? task1 : null, r?.AverageAccuracy, r?.Forgetting);
        }).ToArray();
        var means = points.Where(p => p.Task1Accuracy is not null).GroupBy(p => p.Value).OrderBy(g => g.Key)
            .Select(g => new ExperimentMean(g.Key, g.Count(), g.Average(p => p.Task1Accuracy!.Value), g.Average(p => p.AverageAccuracy!.Value), g.Average(p => p.Forgetting!.Value)))
            .ToArray();
        return new ExperimentView(e.Id, e.Name, e.CreatedAt, e.ClosedAt, e.IsOpen, e.Config, e.Param, e.Min, e.Max, e.Step,
            "/class/" + e.Id, means.Sum(m => m.Runs), points, means);
    }

    /// <summary>The experiment's runs as CSV, one line per run (finished ones with their metrics), like a sweep's export.</summary>
    public static string Csv(ExperimentView view)
    {
        var csv = new CsvWriter().Row(["runId", "student", view.Param, "status", "task1Accuracy", "averageAccuracy", "forgetting"]);
        foreach (var p in view.Runs)
            csv.Text(p.RunId).Text(p.Owner).Number(p.Value, "0.######").Text(p.Status.ToString().ToLowerInvariant())
                .Number(p.Task1Accuracy).Number(p.AverageAccuracy).Number(p.Forgetting).EndRow();
        return csv.ToString();
    }

    /// <summary>A value on the experiment's grid exactly (a slider's 0.30000000000000004 is 0.3).</summary>
    static double Snap(StoredExperiment e, double v) =>
        Math.Clamp(Math.Round(e.Min + Math.Round((v - e.Min) / e.Step) * e.Step, 10), e.Min, e.Max);

    static double Tolerance(StoredExperiment e) => e.Step * 1e-6;

    public static string Show(double v) => StrategyParameter.Show(v);

    static ClassOutcome<T> NoSuch<T>(string id) where T : class =>
        ClassOutcome<T>.Problem(404, "No such class experiment", $"There is no class experiment with id '{id}'.");

    static ClassOutcome<T> Closed<T>() where T : class =>
        ClassOutcome<T>.Problem(409, "The experiment is closed", "The instructor has closed this experiment: it takes no new runs.");
}
