using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>What the abuse limits count, each on its own.</summary>
public enum LimitedAction { CreateRuns, Rename, Delete, InstructorSignIn }

/// <summary>A refused action: the sentence to show and the seconds until another try may succeed.</summary>
public sealed record Refused(string Sentence, int RetryAfterSeconds)
{
    public override string ToString() => Sentence;
}

/// <summary>Endpoint metadata: this endpoint counts against <paramref name="Action"/>'s limit.</summary>
public sealed record LimitedAs(LimitedAction Action);

/// <summary>
/// Abuse limits (class mode): ASP.NET Core's rate limiter, one fixed window per (action, visitor) chained with one per
/// (action, client address), so neither a single visitor nor a client that drops its cookie on every request can
/// flood the server. REST endpoints carry <see cref="LimitedAs"/> and go through the middleware; the hub and the pages
/// ask <see cref="Acquire"/> directly.
/// </summary>
public sealed class AbuseLimits : IDisposable
{
    readonly record struct Key(LimitedAction? Action, string Who);

    readonly RateLimitOptions limits;
    readonly bool enabled;
    readonly PartitionedRateLimiter<(LimitedAction? Action, string? Visitor, string? Address)> limiter;

    public AbuseLimits(IOptions<ClassroomOptions> options)
    {
        limits = options.Value.RateLimits;
        enabled = options.Value.ClassMode;
        var perVisitor = PartitionedRateLimiter.Create<(LimitedAction? Action, string? Visitor, string? Address), Key>(r =>
            r.Action is not { } a || r.Visitor is null ? RateLimitPartition.GetNoLimiter(new Key(null, ""))
            : RateLimitPartition.GetFixedWindowLimiter(new Key(a, r.Visitor), _ => Window(limits.PermitsFor(a))));
        var perAddress = PartitionedRateLimiter.Create<(LimitedAction? Action, string? Visitor, string? Address), Key>(r =>
            r.Action is not { } a || r.Address is null ? RateLimitPartition.GetNoLimiter(new Key(null, ""))
            : RateLimitPartition.GetFixedWindowLimiter(new Key(a, r.Address), _ => Window(limits.PermitsFor(a) * limits.PerAddressFactor)));
        limiter = PartitionedRateLimiter.CreateChained(perVisitor, perAddress);
        ForRequests = limiter.WithTranslatedKey<HttpContext>(
            context => (enabled ? context.GetEndpoint()?.Metadata.GetMetadata<LimitedAs>()?.Action : null, Visitor.Id(context.User), Address(context.Connection.RemoteIpAddress)),
            leaveOpen: true);
    }

    FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits, Window = TimeSpan.FromSeconds(limits.WindowSeconds), QueueLimit = 0, AutoReplenishment = true,
    };

    /// <summary>The limiter the rate-limiting middleware applies to every request (endpoints without LimitedAs pass).</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests { get; }

    /// <summary>Counts one <paramref name="action"/> of this visitor from this address (null: not known, e.g. in a page).
    /// Null when allowed, else the sentence saying when to try again.</summary>
    public Refused? Refusal(LimitedAction action, ClaimsPrincipal? user, IPAddress? address)
    {
        if (!enabled) return null;
        using var lease = limiter.AttemptAcquire((action, Visitor.Id(user), Address(address)));
        return lease.IsAcquired ? null : new Refused(Sentence(action, RetryAfter(lease)), RetryAfter(lease));
    }

    /// <summary>Seconds until another try may succeed (the Retry-After header).</summary>
    public int RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : limits.WindowSeconds;

    public string Sentence(LimitedAction action, int retryAfterSeconds) =>
        $"Too many {Describe(action)}: at most {limits.PermitsFor(action)} per {limits.WindowSeconds} s for one person " +
        $"({limits.PermitsFor(action) * limits.PerAddressFactor} from one address). Try again in {retryAfterSeconds} s.";

    static string Describe(LimitedAction action) => action switch
    {
        LimitedAction.CreateRuns => "runs or sweeps started",
        LimitedAction.Rename => "renames",
        LimitedAction.Delete => "deletions",
        _ => "instructor sign-in attempts",
    };

    static string? Address(IPAddress? address) => address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>The middleware's answer to a refused request: 429, Retry-After, and a problem+json sentence.</summary>
    public static async ValueTask OnRejected(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var self = context.RequestServices.GetRequiredService<AbuseLimits>();
        int after = self.RetryAfter(rejected.Lease);
        var action = context.GetEndpoint()?.Metadata.GetMetadata<LimitedAs>()?.Action ?? LimitedAction.CreateRuns;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = self.Sentence(action, after) },
        });
    }

    public void Dispose() => limiter.Dispose();
}

public static class LimitedEndpoints
{
    /// <summary>Counts the endpoint against an abuse limit (class mode); the OpenAPI document lists its 429.</summary>
    public static RouteHandlerBuilder LimitedAs(this RouteHandlerBuilder endpoint, LimitedAction action) =>
        endpoint.WithMetadata(new LimitedAs(action)).ProducesProblem(StatusCodes.Status429TooManyRequests);
}
