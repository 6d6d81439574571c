using System.Globalization;
using System.Text.Json;
using ContinualLearning.Cli.Reproduce;
using ContinualLearning.Engine.Training;
using ContinualLearning.Storage;

namespace ContinualLearning.Cli.Tests;

/// <summary>`continual reproduce` with tiny budgets (a few iterations per task): the table's shape, the stored runs, the refusals.</summary>
public sealed class ReproduceCommandTests : IDisposable
{
    readonly string dataDir = Directory.CreateTempSubdirectory("cl-reproduce-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
    }

    ContinualCommand.Output Reproduce(params string[] args) =>
        ContinualCommand.Run(["reproduce", "--iterations-per-task", "3", "--data-dir", dataDir, .. args]);

    static string[] Cells(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void PrintsOneRowPerChosenStrategyAndOneColumnPerScenarioAndStoresEveryRunInAGroup()
    {
        var output = Reproduce("--seeds", "1", "--strategies", "replay,naive");
        Assert.True(output.ExitCode == 0, output.StdErr);

        var lines = output.StdOut.Split('\n').Select(l => l.TrimEnd()).ToArray();
        var header = lines.Single(l => l.StartsWith("strategy"));
        Assert.Equal(["strategy", "task-IL ours", "domain-IL ours", "class-IL ours"], Cells(header));
        var rows = lines.SkipWhile(l => l != header).Skip(1).TakeWhile(l => l.Length > 0).ToArray();
        // The registry's order, not the typed one; each cell a mean ± sd.
        Assert.Equal(["naive", "replay"], rows.Select(r => Cells(r)[0]));
        Assert.All(rows, r => Assert.Equal(3, Cells(r).Skip(1).Count(c => c.Contains('±'))));
        Assert.Contains(PaperFigures.Citation, output.StdOut);
        Assert.Contains(PaperFigures.DomainNote, output.StdOut); // the domain-incremental column says what it is
        Assert.Contains("run 6/6", output.StdErr);

        using var store = SqliteRunStore.Open(Path.Combine(dataDir, "runs.db"));
        var runs = store.ListRuns();
        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Finished, r.Status));
        Assert.Equal(["naive", "replay"], runs.Select(r => r.Strategy).Distinct().Order());
        Assert.Equal(3, runs.Select(r => r.Config.Scenario).Distinct().Count());
        var groups = store.ListSweeps();
        Assert.Equal(6, groups.Count);
        Assert.All(groups, g =>
        {
            Assert.StartsWith("reproduce ", g.Name);
            var run = Assert.Single(g.RunIds);
            var summary = runs.Single(r => r.Id == run);
            Assert.Equal(g.Id, summary.SweepId);
            Assert.EndsWith($"· {summary.Strategy} · {summary.Config.Scenario}", g.Name);
        });
    }

    /// <summary>The domain-incremental column is the paper's split MNIST variant: the same pairs as the other columns, one head of two.</summary>
    [Fact]
    public void TheDomainIncrementalColumnRunsTheSplitMnistPairsWithOneSharedHead()
    {
        var catalog = new Engine.Data.DataSetCatalog(dataDir);
        var cells = ReproducePlan.Cells(["naive", "pnn"], PaperFigures.ScenarioOrder, Engine.Data.DataSetCatalog.BundledMnist, 100, 2, catalog);
        var domain = cells.Single(c => c.Strategy == "naive" && c.Scenario == Engine.Config.Scenarios.DomainIncremental);
        var classIncremental = cells.Single(c => c.Strategy == "naive" && c.Scenario == Engine.Config.Scenarios.ClassIncremental);
        Assert.Equal(2, domain.Configs.Count);
        Assert.All(domain.Configs, config =>
        {
            Assert.Equal(Engine.Config.Scenarios.DomainIncremental, config.Scenario);
            Assert.Equal("0,1|2,3|4,5|6,7|8,9", config.Tasks);
            Assert.True(Engine.Config.Scenarios.IsSplitDomain(config));
            // Everything but the scenario is the other columns' protocol.
            var twin = classIncremental.Configs.Single(c => c.Seed == config.Seed);
            Assert.Equal(JsonSerializer.Serialize(twin with { Scenario = config.Scenario }, Engine.EngineJson.Options), JsonSerializer.Serialize(config, Engine.EngineJson.Options));
            Assert.Empty(Engine.Config.ConfigValidator.Validate(config, catalog));
        });
        var stream = Engine.Tasks.TaskStream.Build(catalog.Load(Engine.Data.DataSetCatalog.BundledMnist), domain.Configs[0]);
        Assert.Equal(2, stream.Outputs);
        Assert.NotNull(cells.Single(c => c.Strategy == "pnn" && c.Scenario == Engine.Config.Scenarios.DomainIncremental).SkippedBecause);
    }

    [Fact]
    public void JsonGivesMeanAndSdOverTheSeedsOfTheStoredRuns()
    {
        var output = Reproduce("--seeds", "2", "--strategies", "naive", "--scenarios", "class-incremental", "--json");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var row = Assert.Single(JsonDocument.Parse(output.StdOut).RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal("naive", row.GetProperty("strategy").GetString());
        Assert.Equal("class-incremental", row.GetProperty("scenario").GetString());
        var perSeed = row.GetProperty("ours").GetProperty("perSeed").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        using var store = SqliteRunStore.Open(Path.Combine(dataDir, "runs.db"));
        var ids = row.GetProperty("runIds").EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Equal([0, 1], store.ListRuns(ids).Select(r => r.Seed));
        var results = store.GetResults(ids);
        Assert.Equal(ids.Select(id => results[id].AverageAccuracy), perSeed);
        Assert.Equal(perSeed.Average(), row.GetProperty("ours").GetProperty("mean").GetDouble(), 9);
        double sd = Math.Sqrt(perSeed.Sum(v => (v - perSeed.Average()) * (v - perSeed.Average())) / (perSeed.Length - 1));
        Assert.Equal(sd, row.GetProperty("ours").GetProperty("sd").GetDouble(), 9);
        Assert.All(store.ListRuns(ids), r => Assert.Equal(3, r.Config.IterationsPerTask));
    }

    [Fact]
    public void AStrategyThatRefusesAScenarioIsSkippedWithItsReason()
    {
        var output = Reproduce("--seeds", "1", "--strategies", "pnn", "--scenarios", "task-incremental,class-incremental");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var row = output.StdOut.Split('\n').Single(l => l.StartsWith("pnn"));
        Assert.Contains("±", Cells(row)[1]);
        Assert.Equal("skipped (1)", Cells(row)[2]);
        Assert.Contains($"(1) pnn in class-incremental: skipped: {Engine.Strategies.StrategyRegistry.Info("pnn").ScenarioReason}", output.StdOut);
        Assert.Contains("run 1/1", output.StdErr);
    }

    /// <summary>The paper's figures come from PaperFigures and nowhere else: each one is printed as it is there, and when there are none the table says so.</summary>
    [Fact]
    public void ThePapersFiguresPrintedAreTheOnesOfTheSourceTable()
    {
        var strategies = new[] { "naive", "ewc", "er" };
        var output = Reproduce("--seeds", "1", "--strategies", string.Join(",", strategies), "--json");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var report = JsonDocument.Parse(output.StdOut).RootElement;
        Assert.Equal(PaperFigures.Citation, report.GetProperty("citation").GetString());
        foreach (var row in report.GetProperty("rows").EnumerateArray())
        {
            var expected = PaperFigures.Find(row.GetProperty("strategy").GetString()!, row.GetProperty("scenario").GetString()!);
            bool printed = row.TryGetProperty("paper", out var paper) && paper.ValueKind != JsonValueKind.Null;
            if (expected is null) Assert.False(printed, $"a paper figure for {row}");
            else
            {
                Assert.Equal(expected.Mean, paper.GetProperty("mean").GetDouble());
                Assert.Equal(expected.Sem, paper.GetProperty("sem").GetDouble());
            }
        }

        var text = Reproduce("--seeds", "1", "--strategies", string.Join(",", strategies)).StdOut;
        Assert.Contains(PaperFigures.Citation, text);
        Assert.Contains(PaperFigures.Note, text);
        var shown = PaperFigures.SplitMnist.Where(f => strategies.Contains(f.Strategy)).ToArray();
        if (shown.Length == 0) Assert.DoesNotContain(" paper", text.Split('\n').Single(l => l.StartsWith("strategy")));
        foreach (var f in shown)
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{f.Mean:0.0} ± {f.Sem:0.0}"), text);
    }

    [Fact]
    public void FullMnistWithoutItsFilesIsRefusedWithOneSentenceNamingTheFilesAndTheFolder()
    {
        var output = Reproduce("--dataset", "mnist");
        Assert.Equal(1, output.ExitCode);
        Assert.Empty(output.StdOut);
        var sentence = Assert.Single(output.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {ReproduceCommand.Missing("mnist")}", sentence.TrimEnd());
        foreach (var file in Engine.Data.DataSetCatalog.IdxFiles) Assert.Contains(file, sentence);
        Assert.Contains("--data-dir", sentence);
        Assert.False(File.Exists(Path.Combine(dataDir, "runs.db")), "nothing is stored for a refused reproduce");
    }

    [Fact]
    public void InvalidOptionsExitWithErrorsNamingTheOptions()
    {
        var output = Reproduce("--seeds", "0", "--budget", "huge", "--strategies", "naive,bogus", "--dataset", "cifar");
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("--seeds must be between 1 and 20", output.StdErr);
        Assert.Contains("--budget must be one of ci, paper", output.StdErr);
        Assert.Contains("--strategies must be a comma-separated list of", output.StdErr);
        Assert.Contains("(unknown: bogus)", output.StdErr);
        Assert.Contains("--dataset must be one of mnist-10k, mnist, fashion-mnist", output.StdErr);
        Assert.Empty(output.StdOut);
    }

    /// <summary>Ctrl+C: the table of what finished is printed, and every run ends in a terminal state in the store (none left queued or running).</summary>
    [Fact]
    public async Task InterruptedItPrintsWhatFinishedAndEveryStoredRunHasEnded()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "continual.dll"), "reproduce", "--iterations-per-task", "2000", "--seeds", "3",
                     "--strategies", "naive", "--scenarios", "task-incremental", "--workers", "1", "--data-dir", dataDir })
            start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        // Wait for the plan line (the runs are stored by then), then interrupt as Ctrl+C does.
        var planned = new TaskCompletionSource();
        var stderr = Task.Run(async () =>
        {
            var all = new System.Text.StringBuilder();
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                all.AppendLine(line);
                if (line.StartsWith("reproduce: ")) planned.TrySetResult();
            }
            planned.TrySetResult();
            return all.ToString();
        });
        await planned.Task.WaitAsync(TimeSpan.FromMinutes(2));
        using (var signal = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!)
            await signal.WaitForExitAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            try { await process.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException) { process.Kill(true); Assert.Fail("reproduce did not stop after Ctrl+C"); }
        }

        var printed = await stdout;
        Assert.True(process.ExitCode == 130, await stderr);
        Assert.Contains("Interrupted: 0 of 3 runs finished", printed);
        Assert.Contains("not run (1)", printed);
        using var store = SqliteRunStore.Open(Path.Combine(dataDir, "runs.db"));
        Assert.Equal([RunStatus.Cancelled, RunStatus.Cancelled, RunStatus.Cancelled], store.ListRuns().Select(r => r.Status));
    }

    [FashionMnistFact]
    public void FashionMnistRunsOnTheFull60000Images()
    {
        var output = Reproduce("--dataset", "fashion-mnist", "--seeds", "1", "--strategies", "naive", "--scenarios", "task-incremental", "--json");
        Assert.True(output.ExitCode == 0, output.StdErr);
        var report = JsonDocument.Parse(output.StdOut).RootElement;
        Assert.Equal("fashion-mnist", report.GetProperty("dataset").GetString());
        Assert.Contains("60,000 train", report.GetProperty("datasetTitle").GetString());
        var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
        var id = Assert.Single(row.GetProperty("runIds").EnumerateArray()).GetString()!;

        using var store = SqliteRunStore.Open(Path.Combine(dataDir, "runs.db"));
        var result = store.GetResults([id])[id];
        Assert.Equal("fashion-mnist", result.Dataset.Name);
        Assert.Equal(60_000, result.Dataset.TrainSize);
        Assert.Equal(10_000, result.Dataset.TestSize);
        Assert.Equal(result.AverageAccuracy, row.GetProperty("ours").GetProperty("mean").GetDouble(), 9);
    }
}
