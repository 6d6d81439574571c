using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace ContinualLearning.History.Benchmarks;

/// <summary>
/// Time to a usable history page with 1,000 stored runs: the dashboard runs as its own process on the filled data
/// folder; chromium loads /history until the grid reports 1,000 runs and shows its first rows (page, connection,
/// database read and render included).
/// </summary>
static class HistoryPage
{
    const string Chromium = "/usr/bin/chromium";

    public static async Task Measure(string dataFolder)
    {
        if (!File.Exists(Chromium)) { Console.WriteLine($"page: skipped, no browser at {Chromium}"); return; }
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(DashboardDll());
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add($"--ContinualLearning:DataFolder={dataFolder}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        // Development serves the build's static web assets (MudBlazor, Plotly) straight from the NuGet cache.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var url = $"http://127.0.0.1:{port}";
            using (var http = new HttpClient())
                while (true)
                {
                    try { if ((await http.GetAsync(url + "/healthz")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                    await Task.Delay(100);
                }
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            Console.WriteLine("page: fresh browser context per load (nothing cached, like a first visit):");
            await Loads(() => browser.NewPageAsync(), url);
            await using var context = await browser.NewContextAsync();
            Console.WriteLine("page: one browser context (scripts and styles cached, like going to History from another page):");
            await Loads(() => context.NewPageAsync(), url);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    static async Task Loads(Func<Task<IPage>> newPage, string url)
    {
            var times = new List<double>();
            for (int i = 0; i < 8; i++)
            {
                var page = await newPage();
                var clock = Stopwatch.StartNew();
                await page.GotoAsync(url + "/history");
                await page.WaitForSelectorAsync("[data-testid=history-page][data-run-count='1000']");
                await page.WaitForSelectorAsync("[data-testid=history-grid] tbody tr:nth-child(25)");
                clock.Stop();
                if (i > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first load warms the server up (JIT)
                else Console.WriteLine($"page:   first load (server JIT warm-up) {clock.Elapsed.TotalMilliseconds:0} ms");
                await page.CloseAsync();
            }
            Console.WriteLine($"page:   /history with 1,000 runs, load to rendered grid: median {Stats.Median(times):0} ms, max {times.Max():0} ms over {times.Count} loads after the first (target < 1000 ms)");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string DashboardDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory); // benchmarks/History.Benchmarks/bin/{Configuration}/net10.0/
        var root = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", "Dashboard", "bin", bin.Parent!.Name, bin.Name, "ContinualLearning.Dashboard.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the dashboard first (the benchmark project builds it).", dll);
    }
}
