using System.Security.Claims;

namespace ContinualLearning.Dashboard.Identity;

public sealed record DisplayNameRequest(string? DisplayName);
/// <summary>Who the caller is: their id (the owner their runs get), name, whether instructor, and the mode.</summary>
public sealed record MeView(string Id, string Owner, string? DisplayName, bool Instructor, bool ClassMode);
public sealed record TokenView(string Token, string Header);

/// <summary>REST about the caller: who am I, set my display name, get my API token.</summary>
public static class IdentityEndpoints
{
    public static void MapIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").WithTags("Identity");
        me.MapGet("/", (ClaimsPrincipal user, RunOwnership ownership, DisplayNames names) => View(user, ownership, names))
            .WithName("getMe")
            .WithSummary("Who the caller is: the visitor id (cookie or API token), the owner their runs get, display name, instructor or not");

        me.MapPut("/name", (DisplayNameRequest request, ClaimsPrincipal user, RunOwnership ownership, DisplayNames names) =>
            names.Set(Visitor.Id(user)!, request.DisplayName) is { } problem
                ? Results.ValidationProblem(new Dictionary<string, string[]> { [DisplayNames.Field] = [problem] }, title: "Invalid display name")
                : Results.Ok(View(user, ownership, names)))
            .WithName("setDisplayName")
            .WithSummary($"Set the caller's display name (1-{DisplayNames.MaxLength} characters; null clears it), shown beside their runs to the class")
            .Produces<MeView>()
            .ProducesValidationProblem()
            .LimitedAs(LimitedAction.Rename);

        me.MapPost("/token", (ClaimsPrincipal user, ApiTokens tokens) =>
        {
            var token = tokens.For(Visitor.Id(user)!);
            return new TokenView(token, ApiTokenHandler.BearerPrefix + token);
        })
            .WithName("createApiToken")
            .WithSummary("A personal API token: send 'Authorization: Bearer <token>' to act as this visitor from code (REST and the hub)");
    }

    static MeView View(ClaimsPrincipal user, RunOwnership ownership, DisplayNames names)
    {
        var id = Visitor.Id(user)!;
        return new MeView(id, ownership.OwnerOf(user), names.Of(id), ownership.IsInstructor(user), ownership.ClassMode);
    }
}
