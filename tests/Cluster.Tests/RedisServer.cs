using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ContinualLearning.Cluster.Testing;

/// <summary>
/// A Redis of the tests' own: redis-server on a free loopback port, working in a temp folder, nothing saved to disk,
/// stopped (and the folder deleted) on dispose. Started on first use.
/// </summary>
public sealed class RedisServer : IDisposable
{
    public static readonly string? Binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    /// <summary>Why the cluster tests cannot run here, or null when they can.</summary>
    public static string? MissingReason => Binary is null ? "redis-server is not installed (`apt-get install redis-server`, as .ci/run does)" : null;

    readonly Lock gate = new();
    Process? process;
    string? folder;

    public int Port { get; private set; }

    /// <summary>The connection string ("127.0.0.1:port"), starting the server on first use.</summary>
    public string ConnectionString
    {
        get
        {
            EnsureStarted();
            return $"127.0.0.1:{Port}";
        }
    }

    void EnsureStarted()
    {
        lock (gate)
        {
            if (process is not null) return;
            if (Binary is null) throw new InvalidOperationException(MissingReason);
            folder = Path.Combine(Path.GetTempPath(), "cl-redis-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(folder);
            Port = FreePort();
            var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder })
                start.ArgumentList.Add(a);
            process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!Answers(Port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"redis-server did not start on port {Port}");
                Thread.Sleep(100); // polling a port that is not open yet: there is no event to wait on
            }
        }
    }

    static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (process is { HasExited: false }) { process.Kill(entireProcessTree: true); process.WaitForExit(10_000); }
            process?.Dispose();
            process = null;
            if (folder is not null) try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}

