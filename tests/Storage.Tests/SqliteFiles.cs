using Microsoft.Data.Sqlite;

namespace ContinualLearning.Storage.Tests;

/// <summary>File-level SQLite helpers for tests that damage a database on disk (also compiled into History.Tests).</summary>
static class SqliteFiles
{
    /// <summary>Moves everything from the -wal into the file and closes every connection, as a clean shutdown leaves it.</summary>
    public static void Checkpoint(string path)
    {
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
    }
}
