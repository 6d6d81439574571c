using System.Collections.Concurrent;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Dashboard.Imaging;

public enum Split { Train, Test }

/// <summary>Data-set images as small PNG data URLs, made on the server and cached (a few hundred bytes each).</summary>
public sealed class DataImages(DataSetCatalog catalog)
{
    readonly ConcurrentDictionary<(string, Split, int), string> cache = new();

    public string DataUrl(string dataset, Split split, int index) => cache.GetOrAdd((dataset, split, index), key =>
    {
        var data = catalog.Load(key.Item1);
        var set = key.Item2 == Split.Train ? data.Train : data.Test;
        return "data:image/png;base64," + Convert.ToBase64String(Png.Grayscale(set.Image(key.Item3), set.Cols, set.Rows));
    });

    /// <summary>The first few training images of one class, as examples next to the task editor.</summary>
    public IReadOnlyList<string> ClassExamples(string dataset, int classIndex, int count)
    {
        var labels = catalog.Load(dataset).Train.Labels;
        var found = new List<string>(count);
        for (int i = 0; i < labels.Length && found.Count < count; i++)
            if (labels[i] == classIndex) found.Add(DataUrl(dataset, Split.Train, i));
        return found;
    }

    public string[] ClassNames(string dataset) => catalog.Entry(dataset).ClassNames;

    /// <summary>Whether the data set's files are already on disk: examples must never trigger a download.</summary>
    public bool IsOnDisk(string dataset)
    {
        if (!catalog.Contains(dataset)) return false;
        var entry = catalog.Entry(dataset);
        IEnumerable<string> places = entry.IsBundled ? [catalog.BundledDirectory]
            : [.. (catalog.DataDirectory is null ? [] : new[] { Path.Combine(catalog.DataDirectory, entry.Name) }), .. entry.SystemDirectories];
        return places.Any(p => DataSetCatalog.IdxFiles.All(f => File.Exists(Path.Combine(p, f))));
    }
}
