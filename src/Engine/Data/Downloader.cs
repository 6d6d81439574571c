using System.Security.Cryptography;

namespace ContinualLearning.Engine.Data;

public sealed record DownloadProgress(string File, long Received, long? Total);

public sealed class DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Fetches a file from the first mirror that serves it, checks its MD5, and writes it atomically.</summary>
public sealed class Downloader
{
    readonly HttpClient http;

    public Downloader(HttpClient? http = null) =>
        this.http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

    public void Fetch(IEnumerable<string> mirrors, string file, string? md5, string destination, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        if (File.Exists(destination) && (md5 is null || Md5Of(destination) == md5)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            var url = mirror.TrimEnd('/') + "/" + file;
            var partial = destination + ".part";
            try
            {
                using (var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).GetAwaiter().GetResult())
                {
                    response.EnsureSuccessStatusCode();
                    long? total = response.Content.Headers.ContentLength;
                    using var body = response.Content.ReadAsStream(ct);
                    using var output = File.Create(partial);
                    var buffer = new byte[81920];
                    long received = 0;
                    int n;
                    while ((n = body.Read(buffer)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        output.Write(buffer, 0, n);
                        received += n;
                        progress?.Report(new DownloadProgress(file, received, total));
                    }
                }
                var actual = Md5Of(partial);
                if (md5 is not null && actual != md5)
                {
                    failures.Add($"{url}: checksum {actual} does not match {md5}");
                    File.Delete(partial);
                    continue;
                }
                File.Move(partial, destination, overwrite: true);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                failures.Add($"{url}: {e.Message}");
                if (File.Exists(partial)) File.Delete(partial);
            }
        }
        throw new DownloadException($"could not download {file} ({string.Join("; ", failures)})");
    }

    public static string Md5Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }
}
