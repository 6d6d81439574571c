namespace ContinualLearning.Engine.Data;

/// <summary>Where a data set's four IDX files can come from, in the order they are tried, and its nominal size (known
/// without loading it, so a run's cost can be estimated before it is queued).</summary>
public sealed record DataSetEntry(
    string Name,
    string Title,
    string[] ClassNames,
    string[] MirrorUrls,
    IReadOnlyDictionary<string, string> Md5ByFile,
    string[] SystemDirectories,
    bool IsBundled = false,
    int TrainCount = 60_000,
    int TestCount = 10_000,
    int ImageSide = 28);

public sealed record DataSetAvailability(string Name, string Title, bool Available, string Reason);

/// <summary>
/// The data sets the engine knows by name. Configs name a data set from here and never carry a path,
/// so nothing a user types can make the server read an arbitrary file.
/// </summary>
public sealed class DataSetCatalog
{
    public const string BundledMnist = "mnist-10k";
    public const string Mnist = "mnist";
    public const string FashionMnist = "fashion-mnist";

    static readonly string[] Digits = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();
    static readonly string[] Fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static readonly string[] IdxFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    readonly Dictionary<string, DataSetEntry> entries;
    readonly Dictionary<string, DataSet> loaded = new();
    readonly Lock gate = new();

    /// <param name="dataDirectory">The user's data folder: full data sets are looked for, and downloaded to, {dataDirectory}/{name}.</param>
    /// <param name="bundledDirectory">The folder holding data/mnist-10k; defaults to the copy next to the engine assembly.</param>
    public DataSetCatalog(string? dataDirectory = null, string? bundledDirectory = null, IEnumerable<DataSetEntry>? entries = null)
    {
        DataDirectory = dataDirectory;
        BundledDirectory = bundledDirectory ?? Path.Combine(AppContext.BaseDirectory, "data", BundledMnist);
        this.entries = (entries ?? DefaultEntries()).ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    public string? DataDirectory { get; }
    public string BundledDirectory { get; }
    public Downloader Downloader { get; init; } = new();

    public IReadOnlyCollection<string> Names => entries.Keys;
    public bool Contains(string name) => entries.ContainsKey(name);
    public DataSetEntry Entry(string name) =>
        entries.TryGetValue(name, out var e) ? e : throw new ArgumentException($"Unknown data set '{name}'. Known: {string.Join(", ", entries.Keys)}.");

    /// <summary>Torchvision's mirrors and checksums for MNIST and Fashion-MNIST.</summary>
    public static IEnumerable<DataSetEntry> DefaultEntries()
    {
        yield return new(BundledMnist, "MNIST, bundled 10k subset (8,000 train / 2,000 test)", Digits, [], new Dictionary<string, string>(), [], IsBundled: true,
            TrainCount: 8_000, TestCount: 2_000);
        yield return new(Mnist, "MNIST (60,000 train / 10,000 test)", Digits,
            ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
            new Dictionary<string, string>
            {
                ["train-images-idx3-ubyte.gz"] = "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                ["train-labels-idx1-ubyte.gz"] = "d53e105ee54ea40749a09fcbcd1e9432",
                ["t10k-images-idx3-ubyte.gz"] = "9fb629c4189551a2d022fa330f9573f3",
                ["t10k-labels-idx1-ubyte.gz"] = "ec29112dd5afa0611ce80d1b7f02629c",
            }, []);
        yield return new(FashionMnist, "Fashion-MNIST (60,000 train / 10,000 test)", Fashion,
            ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
            new Dictionary<string, string>
            {
                ["train-images-idx3-ubyte.gz"] = "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                ["train-labels-idx1-ubyte.gz"] = "25c81989df183df01b3e8a0aad5dffbe",
                ["t10k-images-idx3-ubyte.gz"] = "bef4ecab320f06d8554ea6380940ec79",
                ["t10k-labels-idx1-ubyte.gz"] = "bb300cfdad3c16e7a12a480ee83cd310",
            }, ["/usr/share/datasets/fashion-mnist"]);
    }

    /// <summary>Whether a data set can be loaded without the network (used to show unavailable ones disabled).</summary>
    public DataSetAvailability Availability(string name)
    {
        var entry = Entry(name);
        if (entry.IsBundled)
            return Complete(BundledDirectory) ? new(name, entry.Title, true, "bundled with the app")
                : new(name, entry.Title, false, "bundled files missing from the app's data folder");
        var local = LocalDirectory(entry);
        if (local is not null) return new(name, entry.Title, true, local == LocalDirectoryIn(DataDirectory, entry) ? "found in the data folder" : "found in a system folder");
        return entry.MirrorUrls.Length > 0 && DataDirectory is not null
            ? new(name, entry.Title, true, "not on disk yet: will be downloaded on first use")
            : new(name, entry.Title, false, "not found on disk and no download location configured");
    }

    /// <summary>
    /// Whether the data set's four IDX files are on disk now (bundled folder, data folder or a system folder such as
    /// Debian's), so a caller can refuse up front instead of downloading or falling back to the bundled subset.
    /// </summary>
    public bool IsOnDisk(string name)
    {
        var entry = Entry(name);
        return entry.IsBundled ? Complete(BundledDirectory) : LocalDirectory(entry) is not null;
    }

    /// <summary>Loads a data set (once per catalog), downloading it when needed. Offline MNIST falls back to the bundled subset.</summary>
    public DataSet Load(string name, Action<string>? log = null, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        lock (gate)
            if (loaded.TryGetValue(name, out var cached)) return cached;
        var set = LoadUncached(Entry(name), log ?? (_ => { }), progress, ct);
        lock (gate) loaded[name] = set;
        return set;
    }

    DataSet LoadUncached(DataSetEntry entry, Action<string> log, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        if (entry.IsBundled) return FromDirectory(entry, BundledDirectory, bundled: true);
        var local = LocalDirectory(entry);
        if (local is not null) return FromDirectory(entry, local, bundled: false);
        if (DataDirectory is null || entry.MirrorUrls.Length == 0)
            return Fallback(entry, log, "it is not on disk and there is nowhere to download it to");
        var target = Path.Combine(DataDirectory, entry.Name);
        try
        {
            foreach (var file in IdxFiles)
                Downloader.Fetch(entry.MirrorUrls, file, entry.Md5ByFile.GetValueOrDefault(file), Path.Combine(target, file), progress, ct);
        }
        catch (DownloadException e)
        {
            return Fallback(entry, log, e.Message);
        }
        return FromDirectory(entry, target, bundled: false);
    }

    DataSet Fallback(DataSetEntry entry, Action<string> log, string why)
    {
        if (entry.Name != Mnist) throw new InvalidOperationException($"Data set '{entry.Name}' is unavailable: {why}.");
        log($"Full MNIST is unavailable ({why}); using the bundled 10k MNIST subset instead.");
        return Load(BundledMnist);
    }

    static string? LocalDirectoryIn(string? dataDirectory, DataSetEntry entry) => dataDirectory is null ? null : Path.Combine(dataDirectory, entry.Name);

    string? LocalDirectory(DataSetEntry entry)
    {
        var candidates = new List<string>();
        if (LocalDirectoryIn(DataDirectory, entry) is { } own) candidates.Add(own);
        candidates.AddRange(entry.SystemDirectories);
        return candidates.FirstOrDefault(Complete);
    }

    static bool Complete(string directory) => IdxFiles.All(f => File.Exists(Path.Combine(directory, f)));

    // Messages name the data set and the file, never the folder: they reach users, and paths belong in the server log.
    static DataSet FromDirectory(DataSetEntry entry, string directory, bool bundled)
    {
        string P(int i) => Path.Combine(directory, IdxFiles[i]);
        ImageSet train, test;
        try
        {
            train = IdxReader.Load(P(0), P(1));
            test = IdxReader.Load(P(2), P(3));
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"Data set '{entry.Name}': {e.Message}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var (file, why) = e switch
            {
                FileNotFoundException { FileName: { } missing } => (Path.GetFileName(missing), "it is missing"),
                UnauthorizedAccessException => ("its files", "permission denied"),
                _ => ("its files", "a read error"),
            };
            throw new InvalidDataException($"Data set '{entry.Name}': {file} could not be read ({why}).", e);
        }
        var badLabel = train.Labels.Concat(test.Labels).Where(l => l >= entry.ClassNames.Length).Select(l => (int?)l).FirstOrDefault();
        if (badLabel is not null)
            throw new InvalidDataException($"Data set '{entry.Name}' holds label {badLabel}, but it has {entry.ClassNames.Length} classes.");
        return new DataSet(entry.Name, train, test, entry.ClassNames, bundled, directory);
    }
}
