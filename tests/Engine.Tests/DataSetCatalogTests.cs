using System.Net;
using System.Net.Sockets;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Engine.Tests;

/// <summary>Finding, downloading and falling back, against a loopback HTTP server that serves the bundled files — never the internet.</summary>
public sealed class DataSetCatalogTests : IDisposable
{
    readonly HttpListener server = new();
    readonly string baseUrl;
    readonly Dictionary<string, byte[]> served = new();
    readonly List<string> requests = [];
    readonly string bundled = TestData.Catalog.BundledDirectory;

    public DataSetCatalogTests()
    {
        baseUrl = $"http://127.0.0.1:{FreePort()}/";
        server.Prefixes.Add(baseUrl);
        server.Start();
        _ = Task.Run(Serve);
    }

    async Task Serve()
    {
        while (server.IsListening)
        {
            HttpListenerContext context;
            try { context = await server.GetContextAsync(); } catch { return; }
            var path = context.Request.Url!.AbsolutePath;
            lock (requests) requests.Add(path);
            if (served.TryGetValue(path, out var body))
            {
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else context.Response.StatusCode = 404;
            context.Response.Close();
        }
    }

    void ServeBundledAt(string prefix, bool corrupt = false)
    {
        foreach (var file in DataSetCatalog.IdxFiles)
        {
            var bytes = File.ReadAllBytes(Path.Combine(bundled, file));
            if (corrupt) bytes[^1] ^= 0xff;
            served[prefix + file] = bytes;
        }
    }

    DataSetEntry MnistAt(params string[] mirrors) => new(DataSetCatalog.Mnist, "test mnist", Enumerable.Range(0, 10).Select(i => $"{i}").ToArray(), mirrors,
        DataSetCatalog.IdxFiles.ToDictionary(f => f, f => Downloader.Md5Of(Path.Combine(bundled, f))), []);

    DataSetCatalog CatalogWith(string dataDir, params DataSetEntry[] extra) =>
        new(dataDir, bundled, DataSetCatalog.DefaultEntries().Where(e => e.IsBundled).Concat(extra));

    [Fact]
    public void DownloadsVerifiesAndCachesAFullDataSet()
    {
        ServeBundledAt("/mirror/");
        var dataDir = TestData.TempDirectory();
        var progress = new List<DownloadProgress>();
        var catalog = CatalogWith(dataDir, MnistAt(baseUrl + "mirror/"));
        Assert.Contains("will be downloaded", catalog.Availability("mnist").Reason);

        var data = catalog.Load("mnist", progress: new SyncProgress(progress));

        Assert.False(data.IsBundledSubset);
        Assert.Equal((8000, 2000), (data.Train.Count, data.Test.Count));
        Assert.All(DataSetCatalog.IdxFiles, f => Assert.True(File.Exists(Path.Combine(dataDir, "mnist", f))));
        Assert.Contains(progress, p => p.File == "train-images-idx3-ubyte.gz" && p.Received == p.Total);
        // A second catalog finds the files on disk and asks the server nothing.
        int asked = requests.Count;
        Assert.Contains("found in", CatalogWith(dataDir, MnistAt(baseUrl + "mirror/")).Availability("mnist").Reason);
        CatalogWith(dataDir, MnistAt(baseUrl + "mirror/")).Load("mnist");
        Assert.Equal(asked, requests.Count);
    }

    [Fact]
    public void ChecksumMismatchMovesOnToTheNextMirror()
    {
        ServeBundledAt("/bad/", corrupt: true);
        ServeBundledAt("/good/");
        var data = CatalogWith(TestData.TempDirectory(), MnistAt(baseUrl + "bad/", baseUrl + "good/")).Load("mnist");
        Assert.False(data.IsBundledSubset);
        Assert.Contains("/bad/train-images-idx3-ubyte.gz", requests);
        Assert.Contains("/good/train-images-idx3-ubyte.gz", requests);
    }

    [Fact]
    public void OfflineMnistFallsBackToTheBundledSubsetAndSaysSo()
    {
        var messages = new List<string>();
        var closedPort = $"http://127.0.0.1:{FreePort()}/";
        var data = CatalogWith(TestData.TempDirectory(), MnistAt(closedPort)).Load("mnist", messages.Add);
        Assert.True(data.IsBundledSubset);
        Assert.Contains(messages, m => m.Contains("using the bundled 10k MNIST subset"));
    }

    [Fact]
    public void OnlyCorruptCopiesAvailableFallsBackWithTheChecksumProblem()
    {
        ServeBundledAt("/bad/", corrupt: true);
        var messages = new List<string>();
        var data = CatalogWith(TestData.TempDirectory(), MnistAt(baseUrl + "bad/")).Load("mnist", messages.Add);
        Assert.True(data.IsBundledSubset);
        Assert.Contains(messages, m => m.Contains("does not match"));
    }

    [Fact]
    public void FashionMnistIsFoundInASystemDirectory()
    {
        var system = TestData.TempDirectory();
        foreach (var f in DataSetCatalog.IdxFiles) File.Copy(Path.Combine(bundled, f), Path.Combine(system, f));
        var entry = DataSetCatalog.DefaultEntries().Single(e => e.Name == DataSetCatalog.FashionMnist) with { SystemDirectories = [system], MirrorUrls = [] };
        var catalog = CatalogWith(TestData.TempDirectory(), entry);
        Assert.True(catalog.Availability("fashion-mnist").Available);
        Assert.Equal(system, catalog.Load("fashion-mnist").Source);
    }

    [Fact]
    public void UnavailableFashionMnistSaysWhy()
    {
        var entry = DataSetCatalog.DefaultEntries().Single(e => e.Name == DataSetCatalog.FashionMnist) with { SystemDirectories = [], MirrorUrls = [] };
        var catalog = CatalogWith(TestData.TempDirectory(), entry);
        Assert.False(catalog.Availability("fashion-mnist").Available);
        var e = Assert.Throws<InvalidOperationException>(() => catalog.Load("fashion-mnist"));
        Assert.Contains("fashion-mnist", e.Message);
    }

    [Fact]
    public void DebianFashionMnistLoadsWhenInstalled()
    {
        // CI installs Debian's dataset-fashion-mnist; elsewhere this checks the catalog reports it missing.
        var catalog = new DataSetCatalog(TestData.TempDirectory());
        if (!File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        {
            Assert.DoesNotContain("/usr/share", catalog.Availability("fashion-mnist").Reason);
            return;
        }
        var data = catalog.Load("fashion-mnist");
        Assert.Equal((60000, 10000), (data.Train.Count, data.Test.Count));
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    [Fact]
    public void IsOnDiskSeesOnlyFilesAlreadyThereAndNeverDownloads()
    {
        ServeBundledAt("/mirror/");
        var dataDir = TestData.TempDirectory();
        var fashion = DataSetCatalog.DefaultEntries().Single(e => e.Name == DataSetCatalog.FashionMnist) with { SystemDirectories = [bundled], MirrorUrls = [] };
        var catalog = CatalogWith(dataDir, MnistAt(baseUrl + "mirror/"), fashion);

        Assert.True(catalog.IsOnDisk(DataSetCatalog.BundledMnist));
        Assert.False(catalog.IsOnDisk(DataSetCatalog.Mnist)); // downloadable, but not on disk
        Assert.True(catalog.IsOnDisk(DataSetCatalog.FashionMnist)); // in its system folder
        lock (requests) Assert.Empty(requests);

        Directory.CreateDirectory(Path.Combine(dataDir, DataSetCatalog.Mnist));
        foreach (var file in DataSetCatalog.IdxFiles.SkipLast(1)) File.Copy(Path.Combine(bundled, file), Path.Combine(dataDir, DataSetCatalog.Mnist, file));
        Assert.False(catalog.IsOnDisk(DataSetCatalog.Mnist)); // three of the four files
        File.Copy(Path.Combine(bundled, DataSetCatalog.IdxFiles[^1]), Path.Combine(dataDir, DataSetCatalog.Mnist, DataSetCatalog.IdxFiles[^1]));
        Assert.True(catalog.IsOnDisk(DataSetCatalog.Mnist));
    }

    [Fact]
    public void UnknownNamesAreRefused() =>
        Assert.Contains("Unknown data set '../../etc'", Assert.Throws<ArgumentException>(() => TestData.Catalog.Load("../../etc")).Message);

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    sealed class SyncProgress(List<DownloadProgress> sink) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) { lock (sink) sink.Add(value); }
    }

    public void Dispose() => server.Close();
}
