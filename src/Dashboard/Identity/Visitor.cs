using System.Security.Claims;
using System.Security.Cryptography;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// A visitor's identity: an opaque random id the server makes up on the first visit (never taken from the request),
/// kept in the visitor cookie or named by an API token; an instructor also carries the instructor role.
/// </summary>
public static class Visitor
{
    public const string CookieScheme = "VisitorCookie";
    public const string TokenScheme = "ApiToken";
    /// <summary>The default scheme: a bearer token when the request carries one, else the cookie.</summary>
    public const string Scheme = "Visitor";
    public const string InstructorRole = "instructor";

    /// <summary>The visitor's id (ClaimTypes.NameIdentifier, which antiforgery also keys on); null when there is none.</summary>
    public static string? Id(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true ? user.FindFirst(ClaimTypes.NameIdentifier)?.Value : null;

    public static bool IsInstructor(ClaimsPrincipal? user) => user?.IsInRole(InstructorRole) == true;

    /// <summary>A new anonymous visitor: 128 random bits, base64url (22 characters).</summary>
    public static ClaimsPrincipal New() => Principal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), false, CookieScheme);

    public static ClaimsPrincipal Principal(string id, bool instructor, string authenticationType)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, id) };
        if (instructor) claims.Add(new(ClaimTypes.Role, InstructorRole));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }
}
