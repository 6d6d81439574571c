using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace ContinualLearning.History.Benchmarks;

/// <summary>
/// Time to a usable history page with 1,000 stored runs: the dashboard runs as its own process on the filled data
/// folder; chromium loads /history until the grid reports 1,000 runs and its first 25 rows are drawn (page, styles and
/// scripts, circuit, database read and render included), timed on the page's own clock from navigation start to the
/// first frame drawn after the rows entered the document. Also reports the benchmark's wall clock (navigation plus one
/// wait) and load-independent measures: the first render's size and the number of elements in the page.
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
            await Loads(() => browser.NewPageAsync(), url, server);
            await using var context = await browser.NewContextAsync();
            Console.WriteLine("page: one browser context (scripts and styles cached, like going to History from another page):");
            await Loads(() => context.NewPageAsync(), url, server);
            // What the server spends with no page open, to read the CPU per load against: the first seconds after the
            // loads (background JIT, closed circuits) and then 10 s later (its hosting's timers).
            foreach (var (after, label) in new[] { (0, "just after the loads"), (10_000, "10 s later") })
            {
                await Task.Delay(after);
                server.Refresh();
                var idleBefore = server.TotalProcessorTime;
                await Task.Delay(3000);
                server.Refresh();
                Console.WriteLine($"page: server CPU with no page open, {label}: {(server.TotalProcessorTime - idleBefore).TotalMilliseconds / 3:0} ms per second");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>The grid with 1,000 runs listed and its first page of rows in the document.</summary>
    const string RowsShown = "[data-testid=history-page][data-run-count='1000'] [data-testid=history-grid] tbody tr:nth-child(25)";

    /// <summary>
    /// Runs in the page before its own scripts: notes (on the page's clock, from navigation start) when the first
    /// frame after the rows entered the document is drawn, when the circuit's WebSocket opened, and every message
    /// received on it; so the figures are the page's, not how often the benchmark polls for them.
    /// </summary>
    const string PageClock = """
        (() => {
          const probe = window.__historyProbe = { messages: [] };
          const Socket = window.WebSocket;
          window.WebSocket = class extends Socket {
            constructor(...args) {
              super(...args);
              this.addEventListener('open', () => probe.socketOpen ??= performance.now());
              this.addEventListener('message', e => probe.messages.push([performance.now(),
                typeof e.data === 'string' ? e.data.length : (e.data.byteLength ?? e.data.size)]));
            }
          };
          const watch = new MutationObserver(() => {
            if (probe.rowsInDocument !== undefined || !document.querySelector(ROWS)) return;
            probe.rowsInDocument = performance.now();
            probe.elements = document.getElementsByTagName('*').length;
            watch.disconnect();
            requestAnimationFrame(() => probe.rowsDrawn = performance.now());
          });
          watch.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-run-count'] });
        })();
        """;

    static async Task Loads(Func<Task<IPage>> newPage, string url, Process server)
    {
        var wall = new List<double>();
        var drawn = new List<double>();
        var loaded = new List<double>();
        var htmlFirstByte = new List<double>();
        var htmlDone = new List<double>();
        var assetsDone = new List<double>();
        var assetBytes = new List<double>();
        var socket = new List<double>();
        var firstRender = new List<double>();
        var firstRenderBytes = new List<double>();
        var bytes = new List<double>();
        var elements = new List<double>();
        var serverCpu = new List<double>();
        var browserTasks = new List<double>();
        var browserScript = new List<double>();
        var browserStyle = new List<double>();
        var browserLayout = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            var page = await newPage();
            await page.AddInitScriptAsync(PageClock.Replace("ROWS", System.Text.Json.JsonSerializer.Serialize(RowsShown)));
            // CPU time rather than wall time: what a load costs the server and the page's main thread, whatever else runs.
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            server.Refresh();
            var cpuBefore = server.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(url + "/history", new() { WaitUntil = WaitUntilState.Commit });
            // One wait for the final state (rows drawn), not one wait per condition: each wait polls on its own.
            await page.WaitForFunctionAsync("() => window.__historyProbe?.rowsDrawn !== undefined", null, new() { PollingInterval = 10 });
            clock.Stop();
            server.Refresh();
            var cpu = (server.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            var metrics = await cdp.SendAsync("Performance.getMetrics");
            double Metric(string name) => 1000 * metrics!.Value.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();
            var probe = await page.EvaluateAsync<System.Text.Json.JsonElement>("""
                () => { const p = window.__historyProbe, n = performance.getEntriesByType('navigation')[0];
                  const before = p.messages.filter(m => m[0] <= p.rowsInDocument);
                  const largest = before.reduce((a, m) => m[1] > a[1] ? m : a, [0, 0]);
                  const assets = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'link' || r.initiatorType === 'script');
                  return { drawn: p.rowsDrawn, loaded: n.domContentLoadedEventEnd, socket: p.socketOpen ?? 0,
                           htmlFirstByte: n.responseStart, htmlDone: n.responseEnd, assetsDone: assets.reduce((a, r) => Math.max(a, r.responseEnd), 0),
                           assetBytes: assets.reduce((a, r) => a + r.transferSize, 0),
                           firstRender: largest[0], firstRenderBytes: largest[1], bytes: before.reduce((a, m) => a + m[1], 0), elements: p.elements }; }
                """);
            double Read(string name) => probe.GetProperty(name).GetDouble();
            await page.CloseAsync();
            if (i == 0) { Console.WriteLine($"page:   first load (server JIT warm-up) {clock.Elapsed.TotalMilliseconds:0} ms"); continue; }
            wall.Add(clock.Elapsed.TotalMilliseconds);
            drawn.Add(Read("drawn"));
            loaded.Add(Read("loaded"));
            htmlFirstByte.Add(Read("htmlFirstByte"));
            htmlDone.Add(Read("htmlDone"));
            assetsDone.Add(Read("assetsDone"));
            assetBytes.Add(Read("assetBytes"));
            socket.Add(Read("socket"));
            firstRender.Add(Read("firstRender"));
            firstRenderBytes.Add(Read("firstRenderBytes"));
            bytes.Add(Read("bytes"));
            elements.Add(Read("elements"));
            serverCpu.Add(cpu);
            browserTasks.Add(Metric("TaskDuration"));
            browserScript.Add(Metric("ScriptDuration"));
            browserStyle.Add(Metric("RecalcStyleDuration"));
            browserLayout.Add(Metric("LayoutDuration"));
        }
        Console.WriteLine($"page:   /history with 1,000 runs, navigation to the grid's rows drawn (the page's clock): median {Stats.Median(drawn):0} ms, " +
            $"max {drawn.Max():0} ms over {drawn.Count} loads after the first (target < 1000 ms)");
        Console.WriteLine($"page:   the benchmark's own clock (goto + one wait): median {Stats.Median(wall):0} ms, max {wall.Max():0} ms");
        Console.WriteLine($"page:   medians on the page's clock: HTML's first byte {Stats.Median(htmlFirstByte):0} ms, HTML received {Stats.Median(htmlDone):0} ms, " +
            $"stylesheets and scripts received {Stats.Median(assetsDone):0} ms ({Stats.Median(assetBytes) / 1024:0} KB transferred)");
        Console.WriteLine($"page:   medians on the page's clock: DOMContentLoaded {Stats.Median(loaded):0} ms, circuit connected {Stats.Median(socket):0} ms, " +
            $"first render received {Stats.Median(firstRender):0} ms, rows drawn {Stats.Median(drawn):0} ms");
        Console.WriteLine($"page:   first render {Stats.Median(firstRenderBytes) / 1024:0.0} KB (largest message), {Stats.Median(bytes) / 1024:0.0} KB received on the circuit " +
            $"until the rows were in, {Stats.Median(elements):0} elements in the document");
        Console.WriteLine($"page:   CPU per load (medians): server {Stats.Median(serverCpu):0} ms, the page's main thread {Stats.Median(browserTasks):0} ms " +
            $"(scripts {Stats.Median(browserScript):0}, style {Stats.Median(browserStyle):0}, layout {Stats.Median(browserLayout):0})");
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
