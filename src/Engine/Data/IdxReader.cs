using System.Buffers.Binary;
using System.IO.Compression;

namespace ContinualLearning.Engine.Data;

/// <summary>Reads the IDX format of MNIST and Fashion-MNIST (plain or gzipped), with errors that name the file.</summary>
public static class IdxReader
{
    const int ImagesMagic = 0x00000803;
    const int LabelsMagic = 0x00000801;

    public static ImageSet Load(string imagesPath, string labelsPath)
    {
        var (pixels, count, rows, cols) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"{Path.GetFileName(labelsPath)} has {labels.Length} labels but {Path.GetFileName(imagesPath)} has {count} images.");
        return new ImageSet(pixels, labels, rows, cols);
    }

    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        RequireMagic(bytes, path, ImagesMagic, "idx3-ubyte images");
        Require(bytes.Length >= 16, path, $"is truncated: {bytes.Length} bytes, an image file header needs 16");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        Require(count >= 0 && rows > 0 && cols > 0 && rows <= 4096 && cols <= 4096, path, $"has an invalid shape {count}x{rows}x{cols}");
        long expected = 16L + (long)count * rows * cols;
        Require(bytes.Length >= expected, path, $"is truncated: header promises {count} images of {rows}x{cols} ({expected} bytes) but the file has {bytes.Length}");
        return (bytes.AsSpan(16, (int)(expected - 16)).ToArray(), count, rows, cols);
    }

    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        RequireMagic(bytes, path, LabelsMagic, "idx1-ubyte labels");
        Require(bytes.Length >= 8, path, $"is truncated: {bytes.Length} bytes, a label file header needs 8");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        Require(count >= 0, path, $"has a negative label count {count}");
        Require(bytes.Length >= 8L + count, path, $"is truncated: header promises {count} labels but the file has {bytes.Length - 8}");
        return bytes.AsSpan(8, count).ToArray();
    }

    static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {Path.GetFileName(path)}", path);
        using var file = File.OpenRead(path);
        bool gzipped = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using var stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var memory = new MemoryStream();
        try { stream.CopyTo(memory); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{Path.GetFileName(path)} is not a valid gzip file: {e.Message}", e); }
        return memory.ToArray();
    }

    static void RequireMagic(byte[] bytes, string path, int expected, string kind)
    {
        Require(bytes.Length >= 4, path, $"is truncated: {bytes.Length} bytes, too short for an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        Require(magic == expected, path, $"has magic number 0x{magic:x8}, expected 0x{expected:x8} ({kind})");
    }

    static void Require(bool condition, string path, string problem)
    {
        if (!condition) throw new InvalidDataException($"{Path.GetFileName(path)} {problem}.");
    }
}
