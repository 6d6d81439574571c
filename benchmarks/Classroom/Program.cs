using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

// A class at once (issue 9): N simulated students against a running dashboard, from this separate process. Each
// student opens the site (so it gets its own cookie, hence its own identity where the server hands them out), presses
// Train within the first few seconds (hub Start with the seed config {}), and watches their own run (hub Watch) to its
// end. Reported: time from pressing Start to the first and to the last event, p50/p95/max, and the wall time of all.
//
//   dotnet run -c Release --project benchmarks/Classroom -- --url http://localhost:5000 [--students 30] [--spread 5]
//       [--config '{}'] [--watch-pace 8] [--timeout 600] [--json]

var options = Options.Parse(args);
if (options is null) return 2;

using var probe = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(10) };
try
{
    var health = await probe.GetAsync("/healthz");
    if (health.StatusCode != HttpStatusCode.OK)
    {
        Console.Error.WriteLine($"error: the dashboard at {options.Url} is not healthy (/healthz answered {(int)health.StatusCode}); fix it before measuring.");
        return 2;
    }
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"error: no dashboard answers at {options.Url} ({e.GetBaseException().Message}). Start it first in another " +
        "terminal, e.g. `dotnet run -c Release --project src/Dashboard` (it listens on http://localhost:5000), then run this again.");
    return 2;
}

Console.WriteLine($"{options.Students} students against {options.Url}, pressing Train within {options.Spread.TotalSeconds:0.#} s, config {options.Config}" +
    (options.WatchPace is { } p ? $", watching at {p} steps/s" : ", watching at the server's pace"));
using var stop = new CancellationTokenSource(options.Timeout);
var clock = Stopwatch.StartNew();
var students = Enumerable.Range(0, options.Students).Select(i => Student.Run(i, options, clock, stop.Token)).ToArray();
var results = await Task.WhenAll(students);
var wall = results.Where(r => r.LastEvent is not null).Select(r => r.StartedAt + r.LastEvent!.Value).DefaultIfEmpty(TimeSpan.Zero).Max()
    - results.Min(r => r.StartedAt);

var ok = results.Where(r => r.Error is null && r.Terminal == "finished").ToArray();
var firsts = results.Where(r => r.FirstEvent is not null).Select(r => r.FirstEvent!.Value.TotalSeconds).Order().ToArray();
var lasts = ok.Select(r => r.LastEvent!.Value.TotalSeconds).Order().ToArray();
var starts = results.Where(r => r.StartCall is not null).Select(r => r.StartCall!.Value.TotalSeconds).Order().ToArray();
string Row(string what, double[] s) => s.Length == 0 ? $"{what,-28} (none)"
    : $"{what,-28} p50 {Percentile(s, 0.5),7:0.00} s   p95 {Percentile(s, 0.95),7:0.00} s   max {s[^1],7:0.00} s";
Console.WriteLine(Row("Start call answered", starts));
Console.WriteLine(Row("Start → first event", firsts));
Console.WriteLine(Row("Start → last event", lasts));
Console.WriteLine($"{"wall time (first Start → last event)",-28} {wall.TotalSeconds:0.00} s; {ok.Length} of {results.Length} runs finished");
foreach (var failed in results.Where(r => r.Error is not null || r.Terminal != "finished").Take(10))
    Console.WriteLine($"  student {failed.Index + 1}: {failed.Error ?? $"run {failed.RunId} ended {failed.Terminal ?? "without an end"}"}");
if (options.Json)
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        students = results.Length, finished = ok.Length, wallSeconds = Math.Round(wall.TotalSeconds, 3),
        firstEventP50 = Percentile(firsts, 0.5), firstEventP95 = Percentile(firsts, 0.95),
        lastEventP50 = Percentile(lasts, 0.5), lastEventP95 = Percentile(lasts, 0.95),
        startCallP95 = Percentile(starts, 0.95),
    }));
return ok.Length == results.Length ? 0 : 1;

static double Percentile(double[] sorted, double q) =>
    sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 3);

/// <summary>What one student saw; times from the moment they called Start.</summary>
sealed record StudentResult(int Index, TimeSpan StartedAt, string? RunId, TimeSpan? StartCall, TimeSpan? FirstEvent, TimeSpan? LastEvent,
    int Events, string? Terminal, string? Error);

static class Student
{
    public static async Task<StudentResult> Run(int index, Options options, Stopwatch clock, CancellationToken stop)
    {
        try { return await Attend(index, options, clock, stop); }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return new(index, clock.Elapsed, null, null, null, null, 0, null, $"could not connect: {e.GetBaseException().Message}");
        }
    }

    static async Task<StudentResult> Attend(int index, Options options, Stopwatch clock, CancellationToken stop)
    {
        // The student's browser: a cookie jar of its own, filled by opening the site.
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = options.Url })
            await browser.GetAsync("/", stop);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(options.Url, "/hubs/training"), o => o.Cookies = cookies)
            .Build();
        await hub.StartAsync(stop);

        // Students press Train spread evenly over the first seconds of the lesson.
        var pressAt = options.Spread * index / Math.Max(1, options.Students);
        var delay = pressAt - clock.Elapsed;
        if (delay > TimeSpan.Zero) await Task.Delay(delay, stop);
        var startedAt = clock.Elapsed;
        var since = Stopwatch.StartNew();
        string runId;
        try { runId = await hub.InvokeAsync<string>("Start", options.Config, stop); }
        catch (Exception e) when (e is HubException or InvalidOperationException)
        {
            return new(index, startedAt, null, null, null, null, 0, null, $"Start refused: {e.Message}");
        }
        var startCall = since.Elapsed;
        TimeSpan? first = null, last = null;
        int count = 0;
        string? terminal = null;
        try
        {
            var stream = options.WatchPace is { } pace
                ? hub.StreamAsync<JsonElement>("WatchFrom", runId, pace, 1, stop) // the per-viewer pace of issue 9: WatchFrom(runId, pace, fromSeq)
                : hub.StreamAsync<JsonElement>("Watch", runId, stop);
            await foreach (var e in stream)
            {
                first ??= since.Elapsed;
                last = since.Elapsed;
                count++;
                if (e.TryGetProperty("kind", out var kind) && kind.GetString() is "finished" or "failed" or "cancelled") terminal = kind.GetString();
            }
        }
        catch (Exception e) when (e is HubException or OperationCanceledException or InvalidOperationException)
        {
            return new(index, startedAt, runId, startCall, first, last, count, terminal,
                e is OperationCanceledException ? $"run {runId} did not end within {options.Timeout.TotalSeconds:0} s" : $"Watch failed: {e.Message}");
        }
        return new(index, startedAt, runId, startCall, first, last, count, terminal, null);
    }
}

sealed record Options(Uri Url, int Students, TimeSpan Spread, JsonElement Config, double? WatchPace, TimeSpan Timeout, bool Json)
{
    public static Options? Parse(string[] args)
    {
        var url = new Uri("http://localhost:5000");
        int students = 30;
        double spread = 5, timeout = 600;
        double? watchPace = null;
        var config = JsonDocument.Parse("{}").RootElement;
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number(string name, double min)
            {
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min
                    ? v : throw new ArgumentException($"{name} must be a number ≥ {min}, not '{text}'");
            }
            try
            {
                switch (args[i])
                {
                    case "--url": url = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new ArgumentException("--url must be an absolute URL such as http://localhost:5000"); break;
                    case "--students": students = (int)Number("--students", 1); break;
                    case "--spread": spread = Number("--spread", 0); break;
                    case "--timeout": timeout = Number("--timeout", 1); break;
                    case "--watch-pace": watchPace = Number("--watch-pace", 0); break;
                    case "--config":
                        var text = Value();
                        try { config = JsonDocument.Parse(text).RootElement; }
                        catch (JsonException) { throw new ArgumentException($"--config must be a JSON object, not '{text}'"); }
                        if (config.ValueKind != JsonValueKind.Object) throw new ArgumentException("--config must be a JSON object such as {} or {\"pace\":8}");
                        break;
                    case "--json": json = true; break;
                    default: throw new ArgumentException($"unknown option {args[i]} (--url, --students, --spread, --config, --watch-pace, --timeout, --json)");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return null;
            }
        }
        return new(url, students, TimeSpan.FromSeconds(spread), config, watchPace, TimeSpan.FromSeconds(timeout), json);
    }
}
