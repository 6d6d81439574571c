using QRCoder;

namespace ContinualLearning.Dashboard.Class;

/// <summary>The QR code of a join link, as a PNG data URI (made here, no network): students point their phone at the projector.</summary>
public static class JoinCode
{
    /// <param name="url">The absolute join link (at most a few hundred characters).</param>
    public static string PngDataUri(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8); // 8 px per module: sharp when the board scales it up
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
