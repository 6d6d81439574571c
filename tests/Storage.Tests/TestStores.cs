using System.Reflection;
using Xunit.Sdk;

namespace ContinualLearning.Storage.Tests;

public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// The stores one test uses, of either kind: a SQLite file in a temp folder, or a fresh database on the shared test
/// PostgreSQL server. <see cref="Open"/> again reopens the same database (a restart, or a second web node on it).
/// Everything is closed and removed on dispose.
/// </summary>
public sealed class TestStores(PostgresServer postgres) : IDisposable
{
    readonly TempDatabase file = new();
    readonly List<IRunStore> opened = [];
    string? database;

    public string SqlitePath => file.Path;
    public string SqliteFolder => file.Folder;

    /// <summary>The PostgreSQL database of this test (created on first use).</summary>
    public string PostgresConnectionString => database ??= postgres.CreateDatabase();

    public IRunStore Open(StoreKind kind, LeftGoing leftGoing = LeftGoing.Interrupt)
    {
        IRunStore store = kind == StoreKind.Sqlite ? SqliteRunStore.Open(file.Path, leftGoing) : PostgresRunStore.Open(PostgresConnectionString, leftGoing);
        lock (opened) opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in opened) store.Dispose();
        if (database is not null) postgres.DropDatabase(database);
        file.Dispose();
    }
}

/// <summary>A theory's row for the SQLite store.</summary>
public sealed class SqliteStoreAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreKind.Sqlite]];
}

/// <summary>A theory's row for the PostgreSQL store; skipped, visibly, where PostgreSQL is not installed.</summary>
public sealed class PostgresStoreAttribute : DataAttribute
{
    public PostgresStoreAttribute()
    {
        if (PostgresServer.MissingReason is { } reason) Skip = reason;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreKind.Postgres]];
}
