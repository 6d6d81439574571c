using ContinualLearning.Runs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// Registration of who-is-who: the visitor cookie (ASP.NET Core cookie authentication), personal API tokens (bearer),
/// data-protection keys in the data folder (so cookies and tokens survive restarts), the abuse limits, and the
/// middleware that gives a visitor without an identity a new one.
/// </summary>
public static class VisitorIdentity
{
    public const string CookieName = "cl-visitor";
    /// <summary>Browsers keep a cookie at most about this long (Chrome: 400 days); each visit renews it.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(400);

    public static IServiceCollection AddVisitorIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClassroomOptions>().Bind(configuration.GetSection(DashboardOptions.Section)).Validate(o => { o.Check(); return true; }).ValidateOnStart();
        services.AddDataProtection().SetApplicationName("ContinualLearning");
        // PersistKeysToFileSystem, but under the data folder as configured when the options are read (tests set it late).
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DashboardOptions>, ILoggerFactory>((o, dashboard, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(dashboard.Value.ResolvedDataFolder(), "keys")), logs));
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<RunOwnership>();
        services.AddSingleton<DisplayNames>();
        services.AddSingleton<AbuseLimits>();
        services.AddAuthentication(Visitor.Scheme)
            .AddPolicyScheme(Visitor.Scheme, "Visitor cookie or API token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith(ApiTokenHandler.BearerPrefix, StringComparison.OrdinalIgnoreCase)
                    ? Visitor.TokenScheme : Visitor.CookieScheme)
            .AddCookie(Visitor.CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the page came over https
                o.Cookie.IsEssential = true;
                o.ExpireTimeSpan = CookieLifetime;
                o.SlidingExpiration = true;
                // An API never redirects to a login page: there is none.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Visitor.TokenScheme, null);
        services.AddCascadingAuthenticationState();
        services.AddRateLimiter(o => o.OnRejected = AbuseLimits.OnRejected);
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<AbuseLimits>((o, limits) => o.GlobalLimiter = limits.ForRequests);
        return services;
    }

    /// <summary>
    /// Authentication, then a new anonymous identity for a visitor without one (a cookie on the response; the request
    /// goes on as that visitor), then the abuse limits. A bearer token that is not valid is a 401, not a new identity.
    /// </summary>
    public static IApplicationBuilder UseVisitorIdentity(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                if (context.Request.Headers.Authorization.Count > 0)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails =
                        {
                            Status = StatusCodes.Status401Unauthorized, Title = "The API token is not valid",
                            Detail = "Send 'Authorization: Bearer <token>' with the token from 'Connect from code' on the dashboard, or no Authorization header at all.",
                        },
                    });
                    return;
                }
                var visitor = Visitor.New();
                await context.SignInAsync(Visitor.CookieScheme, visitor, new AuthenticationProperties { IsPersistent = true });
                context.User = visitor;
            }
            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }
}
