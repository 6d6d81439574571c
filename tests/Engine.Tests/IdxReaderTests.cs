using System.Buffers.Binary;
using System.IO.Compression;
using ContinualLearning.Engine.Data;

namespace ContinualLearning.Engine.Tests;

public class IdxReaderTests
{
    readonly string dir = TestData.TempDirectory();

    static byte[] ImagesFile(int count, int rows = 2, int cols = 3, int magic = 0x803, int? pixelBytes = null)
    {
        int n = pixelBytes ?? count * rows * cols;
        var bytes = new byte[16 + n];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 0; i < n; i++) bytes[16 + i] = (byte)(i * 7);
        return bytes;
    }

    static byte[] LabelsFile(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    string Write(string name, byte[] content, bool gzip = false)
    {
        var path = Path.Combine(dir, name);
        if (!gzip) File.WriteAllBytes(path, content);
        else
        {
            using var file = File.Create(path);
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(content);
        }
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsPlainAndGzippedFiles(bool gzip)
    {
        var set = IdxReader.Load(Write("img", ImagesFile(2), gzip), Write("lbl", LabelsFile(3, 9), gzip));
        Assert.Equal(2, set.Count);
        Assert.Equal((2, 3), (set.Rows, set.Cols));
        Assert.Equal(new byte[] { 3, 9 }, set.Labels);
        Assert.Equal(ImagesFile(2).AsSpan(16 + 6, 6).ToArray(), set.Image(1).ToArray());
    }

    [Fact]
    public void WrongMagicNumberIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Write("swapped", LabelsFile(1, 2))));
        Assert.Contains("swapped", e.Message);
        Assert.Contains("magic number 0x00000801", e.Message);
    }

    [Fact]
    public void TruncatedImagesAreReported()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Write("short.gz", ImagesFile(5, pixelBytes: 10), gzip: true)));
        Assert.Contains("short.gz is truncated", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(Write("tiny", [0, 0, 8])));
        Assert.Contains("tiny is truncated", e.Message);
    }

    [Fact]
    public void LabelCountMismatchNamesBothFiles()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(Write("imgs", ImagesFile(3)), Write("lbls", LabelsFile(1, 2))));
        Assert.Contains("lbls has 2 labels but imgs has 3 images", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(dir, "nope-idx3-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));
        // The message names the file, not the folder (users see it); the full path stays in FileName for the log.
        Assert.Equal("IDX file not found: nope-idx3-ubyte.gz", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        var gz = new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef };
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(Write("broken.gz", gz)));
        Assert.Contains("broken.gz", e.Message);
    }

    [Fact]
    public void BundledSubsetIsRealMnistSplitStratified()
    {
        var data = TestData.Catalog.Load(DataSetCatalog.BundledMnist);
        Assert.True(data.IsBundledSubset);
        Assert.Equal((8000, 2000), (data.Train.Count, data.Test.Count));
        Assert.Equal((28, 28), (data.Train.Rows, data.Train.Cols));
        // Stratified: every digit is in both splits, in about the 80/20 proportion.
        for (int digit = 0; digit < 10; digit++)
        {
            int train = data.Train.Labels.Count(l => l == digit), test = data.Test.Labels.Count(l => l == digit);
            Assert.InRange(test / (double)(train + test), 0.19, 0.21);
        }
    }
}
