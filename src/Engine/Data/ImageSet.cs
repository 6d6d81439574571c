namespace ContinualLearning.Engine.Data;

/// <summary>Images as raw bytes (row-major, one image after another) with one label per image.</summary>
public sealed class ImageSet
{
    public ImageSet(byte[] pixels, byte[] labels, int rows, int cols)
    {
        if (pixels.Length != labels.Length * rows * cols)
            throw new ArgumentException($"{pixels.Length} pixels do not make {labels.Length} images of {rows}x{cols}.");
        Pixels = pixels; Labels = labels; Rows = rows; Cols = cols;
    }

    public byte[] Pixels { get; }
    public byte[] Labels { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Count => Labels.Length;
    public int PixelsPerImage => Rows * Cols;

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
}

/// <summary>A loaded data set: train and test images plus where they came from.</summary>
public sealed record DataSet(string Name, ImageSet Train, ImageSet Test, string[] ClassNames, bool IsBundledSubset, string Source)
{
    public int ClassCount => ClassNames.Length;
}
