namespace ContinualLearning.Cli.Tests;

/// <summary>A test that needs the full Fashion-MNIST files of Debian's dataset-fashion-mnist: skipped, with the reason shown, without them.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";

    public FashionMnistFactAttribute()
    {
        if (!Engine.Data.DataSetCatalog.IdxFiles.All(f => File.Exists(Path.Combine(Folder, f))))
            Skip = $"Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in {Folder}; .ci/run does)";
    }
}
