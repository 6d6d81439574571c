using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ContinualLearning.Storage.Tests;

/// <summary>
/// A PostgreSQL server of the tests' own: initdb in a temp folder, started with pg_ctl on a free loopback port (socket
/// in the same folder), stopped and deleted on dispose, so nothing is left running. Started on first use; shared by the
/// test classes of the "postgres" collection (also compiled into History.Tests). PostgreSQL refuses to run as root, so
/// as root the folder is given to the postgres user and the binaries run through runuser.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "cl";

    /// <summary>The folder with initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static readonly string? BinFolder = FindBinaries();

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? MissingReason => BinFolder is null
        ? "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; `apt-get install postgresql`, as .ci/run does)"
        : null;

    readonly Lock gate = new();
    string? folder;
    int port;

    static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    /// <summary>A connection string to the server's maintenance database, starting the server on first use.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database)
    {
        EnsureStarted();
        return new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = User, Database = database, Pooling = true }.ToString();
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "t" + Guid.NewGuid().ToString("n");
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        create.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing whatever still uses it.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    void EnsureStarted()
    {
        lock (gate)
        {
            if (folder is not null) return;
            if (BinFolder is null) throw new InvalidOperationException(MissingReason);
            var created = Path.Combine(Path.GetTempPath(), "cl-postgres-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(created);
            try
            {
                if (Environment.IsPrivilegedProcess) Run("chown", "postgres", created);
                Run(Path.Combine(BinFolder, "initdb"), "-D", Path.Combine(created, "data"), "-A", "trust", "-U", User, "--no-sync", "-E", "UTF8", "--no-locale");
                port = FreePort();
                // fsync off: a test server's data need not survive a power cut.
                Run(Path.Combine(BinFolder, "pg_ctl"), "-D", Path.Combine(created, "data"), "-l", Path.Combine(created, "server.log"), "-w", "-t", "60",
                    "-o", $"-p {port} -k {created} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
                folder = created;
            }
            catch
            {
                Stop(created);
                throw;
            }
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command, as the postgres user when this process is root; throws with its output when it fails.</summary>
    static void Run(string program, params string[] arguments)
    {
        var asPostgres = Environment.IsPrivilegedProcess && program != "chown";
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish in 2 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {output.Result}{error.Result}");
    }

    static void Stop(string at)
    {
        if (BinFolder is not null && File.Exists(Path.Combine(at, "data", "postmaster.pid")))
        {
            try { Run(Path.Combine(BinFolder, "pg_ctl"), "-D", Path.Combine(at, "data"), "-m", "immediate", "-w", "stop"); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        }
        try { Directory.Delete(at, recursive: true); } catch (IOException) { }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (folder is null) return;
            NpgsqlConnection.ClearAllPools();
            Stop(folder);
            folder = null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>A test that needs PostgreSQL; skipped, visibly, where it is not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.MissingReason is { } reason) Skip = reason;
    }
}
