namespace ContinualLearning.Storage.Tests;

/// <summary>A fresh database file in its own temp folder, removed afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cl-store-" + Guid.NewGuid().ToString("n"));
    public string Path => System.IO.Path.Combine(Folder, "sub", "runs.db"); // a missing sub-folder is created on open

    public SqliteRunStore Open() => SqliteRunStore.Open(Path);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
