using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Security;

/// <summary>
/// Keeps other sites' pages from driving the dashboard through a visitor's browser:
/// a request that changes state (POST/PUT/PATCH/DELETE) or opens a live connection (the hub, the Blazor circuit,
/// negotiation and WebSocket upgrade alike) from a foreign origin is refused with 403 before it reaches an endpoint;
/// and a POST/PUT/PATCH to the API must carry a JSON body type (415 otherwise), which no cross-site form can send.
/// The origin rule covers what the content-type rule cannot: a no-cors fetch sends no content type at all.
/// </summary>
public sealed partial class CrossSiteGuard(RequestDelegate next, IOptions<OriginOptions> options, IProblemDetailsService problems, ILogger<CrossSiteGuard> log)
{
    /// <summary>Paths of live connections: WebSocket upgrades are GETs, so the method alone does not tell.</summary>
    public static readonly string[] ConnectionPaths = [Hubs.TrainingHub.Path, "/_blazor"];

    readonly OriginPolicy policy = new(options.Value.AllowedOrigins);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        bool changesState = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));
        bool connects = ConnectionPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
        if (changesState || connects)
        {
            var refusal = policy.Refusal(request.Headers.Origin, request.Headers["Sec-Fetch-Site"], request.Host.Value ?? "");
            if (refusal is not null)
            {
                LogRefused(log, request.Method, Bounded(request.Path.Value), Bounded(request.Headers.Origin.ToString()));
                await Refuse(context, StatusCodes.Status403Forbidden, "Cross-site request refused", refusal);
                return;
            }
        }
        // DELETE carries no body and no browser sends one cross-site without a CORS preflight, which this server never grants.
        if (changesState && !HttpMethods.IsDelete(request.Method) && request.Path.StartsWithSegments("/api") && !request.HasJsonContentType())
        {
            await Refuse(context, StatusCodes.Status415UnsupportedMediaType, "The request must be JSON",
                $"{request.Method} requests to the API need 'Content-Type: application/json' (send '{{}}' when there is nothing to say); got '{Bounded(request.ContentType)}'.");
            return;
        }
        await next(context);
    }

    async Task Refuse(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    static string Bounded(string? s) => s is null ? "" : s.Length <= 100 ? s : s[..100] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused cross-site {Method} {Path} from origin '{Origin}'")]
    static partial void LogRefused(ILogger logger, string method, string path, string origin);
}
