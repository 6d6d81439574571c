using System.Diagnostics;
using System.Text;

namespace ContinualLearning.Cluster.Testing;

/// <summary>
/// One process of a test cluster, started as `dotnet &lt;dll&gt;` from the built project's output folder with its settings
/// as environment variables and a data folder of its own; its output is kept for the test to read (which runs it
/// trained) and for the failure message. Disposing kills it and deletes its folder.
/// </summary>
public sealed class ClusterNode : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly Lock gate = new();
    readonly List<(string Text, TaskCompletionSource Seen)> awaited = [];

    public string Name { get; }
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "cl-cluster-" + Guid.NewGuid().ToString("n"));
    /// <summary>The web node's address (web nodes only).</summary>
    public Uri? BaseAddress { get; }

    ClusterNode(string name, string project, IReadOnlyDictionary<string, string> settings, Uri? baseAddress)
    {
        Name = name;
        BaseAddress = baseAddress;
        Directory.CreateDirectory(DataFolder);
        var folder = OutputFolder(project);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(folder, $"ContinualLearning.{project}.dll"));
        start.Environment["ContinualLearning__DataFolder"] = DataFolder;
        start.Environment["DOTNET_ENVIRONMENT"] = start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// A worker: trains runs in <paramref name="slots"/> slots, one libtorch thread each, and records them in
    /// <paramref name="database"/> (PostgreSQL; null = none given, which a worker refuses).
    /// </summary>
    public static ClusterNode Worker(string name, string redis, string clusterId, string? database, int slots)
    {
        var settings = new Dictionary<string, string>
        {
            ["ContinualLearning:Cluster:Redis"] = redis,
            ["ContinualLearning:Cluster:ClusterId"] = clusterId,
            ["ContinualLearning:Concurrency"] = slots.ToString(),
            ["ContinualLearning:TorchThreads"] = "1",
        };
        if (database is not null) settings["ConnectionStrings:Runs"] = database;
        return new(name, "Worker", settings, null);
    }

    /// <summary>
    /// A web node: pages, REST and hub; its history in <paramref name="database"/> (PostgreSQL; null = SQLite in its data
    /// folder). <paramref name="slots"/> is its ContinualLearning:Concurrency, which a web node of a cluster does not use
    /// (the cluster's queue grain fills the workers' slots).
    /// </summary>
    public static ClusterNode Web(string name, string redis, string clusterId, string? database, int slots)
    {
        var address = new Uri($"http://127.0.0.1:{RedisServer.FreePort()}");
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = address.ToString().TrimEnd('/'),
            ["ContinualLearning:Role"] = "web",
            ["ContinualLearning:Cluster:Redis"] = redis,
            ["ContinualLearning:Cluster:ClusterId"] = clusterId,
            ["ContinualLearning:Concurrency"] = slots.ToString(),
        };
        if (database is not null) settings["ConnectionStrings:Runs"] = database;
        return new(name, "Dashboard", settings, address);
    }

    /// <summary>src/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0 of this checkout, the configuration this test assembly was built in.</summary>
    static string OutputFolder(string project)
    {
        var here = AppContext.BaseDirectory; // tests/Cluster.Tests/bin/<configuration>/net10.0/
        var bin = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = bin.Parent!.Name;
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ContinualLearning.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("ContinualLearning.sln not found above " + here);
        var folder = Path.Combine(root.FullName, "src", project, "bin", configuration, bin.Name);
        return File.Exists(Path.Combine(folder, $"ContinualLearning.{project}.dll")) ? folder
            : throw new InvalidOperationException($"Build src/{project} first ({configuration}): {folder} has no ContinualLearning.{project}.dll");
    }

    void Received(string? line)
    {
        if (line is null) return;
        lock (gate)
        {
            output.AppendLine(line);
            foreach (var (text, seen) in awaited) if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
        }
    }

    public string Output { get { lock (gate) return output.ToString(); } }

    public bool Said(string text) => Output.Contains(text, StringComparison.Ordinal);

    /// <summary>Whether the run was placed on this worker (its run grain says so; the queue grain, wherever it is, names runs too).</summary>
    public bool Trained(string runId) => Said($"Run {runId} placed on this worker");

    /// <summary>Completes when a line of output contains <paramref name="text"/> (at once if one did already).</summary>
    public Task Saying(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (output.ToString().Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
            else awaited.Add((text, seen));
        }
        return seen.Task;
    }

    public bool HasExited => process.HasExited;

    /// <summary>The process's id (the cluster benchmark reads its CPU time from /proc).</summary>
    public int ProcessId => process.Id;

    /// <summary>Completes when the process has exited, with its exit code.</summary>
    public async Task<int> Exited()
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>kill -9: the process gets no chance to say goodbye to the cluster.</summary>
    public void KillHard() => process.Kill(entireProcessTree: false); // SIGKILL on Linux

    public HttpClient Http() => new() { BaseAddress = BaseAddress ?? throw new InvalidOperationException($"{Name} is not a web node") };

    public void Dispose()
    {
        try { if (!process.HasExited) { process.Kill(entireProcessTree: true); process.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
