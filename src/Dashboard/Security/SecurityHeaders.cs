using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ContinualLearning.Dashboard.Security;

/// <summary>
/// Headers on every response, pages and API alike: no MIME sniffing, no framing, referrers only to the same origin in
/// full, and a Content-Security-Policy under which Blazor Server, MudBlazor and Plotly run: scripts only from this
/// server (the one inline script, Blazor's import map, carries the request's nonce), inline styles (MudBlazor and
/// Plotly set them), images from here or data: URIs (the digit PNGs), connections only back to this server.
/// </summary>
public sealed partial class SecurityHeaders(RequestDelegate next)
{
    const string NonceKey = "csp-nonce";

    public Task InvokeAsync(HttpContext context)
    {
        // 128 random bits in hex: valid in a policy and needs no escaping in the HTML attribute (base64's + would).
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.ContentSecurityPolicy = Policy(nonce, context.Request.Host.Value);
        return next(context);
    }

    /// <summary>The nonce of this request's policy, for the page's inline script (App.razor's import map).</summary>
    public static string? Nonce(HttpContext? context) => context?.Items[NonceKey] as string;

    public static string Policy(string nonce, string? host)
    {
        // 'self' covers ws:/wss: to this host in CSP 3 browsers; older ones need the socket URLs spelled out.
        var sockets = host is not null && SafeHost().IsMatch(host) ? $" ws://{host} wss://{host}" : "";
        return "default-src 'self'; "
            + $"script-src 'self' 'nonce-{nonce}'; "
            + "style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; "
            + "font-src 'self' data:; "
            + $"connect-src 'self'{sockets}; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")]
    private static partial Regex SafeHost();
}
