using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ContinualLearning.Dashboard.Security;

/// <summary>Registration of the web-security pieces: allowed origins, the cross-site guard, the response headers.</summary>
public static class WebSecurity
{
    public static IServiceCollection AddWebSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OriginOptions>(configuration.GetSection(Runs.DashboardOptions.Section));
        return services;
    }

    /// <summary>Headers first (so refusals carry them too), then the guard, before any endpoint or static file.</summary>
    public static IApplicationBuilder UseWebSecurity(this IApplicationBuilder app) =>
        app.UseMiddleware<SecurityHeaders>().UseMiddleware<CrossSiteGuard>();

    /// <summary>The OpenAPI document says what the guard answers: 403 to foreign origins, 415 to bodies that are not JSON.</summary>
    public static OpenApiOptions DescribeCrossSiteRules(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var method = context.Description.HttpMethod ?? "GET";
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return Task.CompletedTask;
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "Forbidden: the request came from a page of a foreign origin (see ContinualLearning:AllowedOrigins)" });
        if (!HttpMethods.IsDelete(method))
            operation.Responses.TryAdd("415", new OpenApiResponse { Description = "Unsupported Media Type: the request must have 'Content-Type: application/json' (send {} when there is no body)" });
        return Task.CompletedTask;
    });
}
