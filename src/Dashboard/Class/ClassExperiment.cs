using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Training;

namespace ContinualLearning.Dashboard.Class;

/// <summary>
/// What the instructor publishes: the fixed config (a preset may start it, as for POST /api/runs), the free parameter
/// (default replayRatio) and its range. Missing min, max or step come from the parameter's declaration when it has one.
/// </summary>
public sealed record PublishRequest(RunConfig? Config, string? Param, double? Min, double? Max, double? Step, string? Name);

/// <summary>A student's choice: the free parameter's value.</summary>
public sealed record JoinRequest(double? Value);

/// <summary>One run of the experiment: who chose what, and (once finished) where it landed.</summary>
/// <param name="Owner">The student's display name (never their identity).</param>
/// <param name="Task1Accuracy">Final test accuracy on task 1 (%), the forgetting the class fights; null until finished.</param>
public sealed record ExperimentPoint(string RunId, string Owner, double Value, RunStatus Status, double? Task1Accuracy, double? AverageAccuracy, double? Forgetting);

/// <summary>The mean over the finished runs of one value: one point of the class's curve.</summary>
public sealed record ExperimentMean(double Value, int Runs, double Task1Accuracy, double AverageAccuracy, double Forgetting);

/// <summary>A class experiment as REST and the pages show it: the fixed part, the range, the runs and the curve.</summary>
/// <param name="JoinPath">Where students join: /class/{id}.</param>
public sealed record ExperimentView(
    string Id, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, bool Open, RunConfig Config,
    string Param, double Min, double Max, double Step, string JoinPath,
    int Finished, IReadOnlyList<ExperimentPoint> Runs, IReadOnlyList<ExperimentMean> Means);

/// <summary>A run a student started in the experiment.</summary>
public sealed record JoinedRun(string RunId, double Value, string RunPath);

/// <summary>What became of a publish or join: the result, or errors by field, or a status with a sentence (404, 409, 429, 503).</summary>
public sealed record ClassOutcome<T>(T? Value, IReadOnlyList<ConfigError> Errors, int Status = 200, string? Title = null, string? Detail = null, int? RetryAfter = null)
    where T : class
{
    public static ClassOutcome<T> Ok(T value) => new(value, []);
    public static ClassOutcome<T> Invalid(params ConfigError[] errors) => new(null, errors, 400);
    public static ClassOutcome<T> Problem(int status, string title, string detail) => new(null, [], status, title, detail);
}
