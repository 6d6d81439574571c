namespace ContinualLearning.Dashboard.Security;

/// <summary>The "ContinualLearning" section's web-security settings (env: ContinualLearning__AllowedOrigins__0 etc.).</summary>
public sealed class OriginOptions
{
    /// <summary>
    /// Origins besides the dashboard's own (scheme://host[:port], e.g. "https://lab.example.org") whose pages may drive
    /// the API and the hub. Empty: only pages served by this very host and port.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Whether a request comes from a page the dashboard trusts. Browsers say where a request comes from (Origin on every
/// POST/PUT/PATCH/DELETE and WebSocket upgrade, Sec-Fetch-Site on everything); a request from another site is foreign.
/// Clients that are not browsers (the .NET SignalR client, curl, scripts) send neither header and are let through:
/// the guard is against a foreign page driving the visitor's browser, not against people who can reach the port.
/// </summary>
public sealed class OriginPolicy(IEnumerable<string> allowedOrigins)
{
    readonly HashSet<string> allowed = allowedOrigins.Select(Normalize).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the request may proceed, otherwise the reason it is foreign (names the origin, bounded).</summary>
    public string? Refusal(string? origin, string? secFetchSite, string requestHost)
    {
        if (!string.IsNullOrEmpty(origin))
        {
            if (IsSameHost(origin, requestHost) || Normalize(origin) is { } o && allowed.Contains(o)) return null;
            return $"Origin '{Bounded(origin)}' is not allowed to use this dashboard (same host or ContinualLearning:AllowedOrigins).";
        }
        // No Origin: an old browser or a no-cors request may still say it crossed sites.
        return secFetchSite is "cross-site" or "same-site"
            ? $"A {secFetchSite} request without an Origin header is not allowed to use this dashboard."
            : null;
    }

    /// <summary>The Origin's host and port equal the Host the request was sent to (the page came from this server).</summary>
    static bool IsSameHost(string origin, string requestHost)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || o.Scheme is not ("http" or "https")) return false;
        var host = HostString.FromUriComponent(requestHost);
        // A Host without a port means the default port of the scheme the page used.
        int port = host.Port ?? (o.Scheme == "https" ? 443 : 80);
        return o.Port == port && string.Equals(o.Host.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>"HTTP://Host:80/" → "http://host"; null for what is not an http(s) origin (e.g. "null").</summary>
    public static string? Normalize(string origin) =>
        Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var o) && o.Scheme is ("http" or "https")
            ? $"{o.Scheme}://{o.Host.ToLowerInvariant()}{(o.IsDefaultPort ? "" : ":" + o.Port)}"
            : null;

    static string Bounded(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
