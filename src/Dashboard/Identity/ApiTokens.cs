using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// Personal API tokens: the visitor's id, data-protected (encrypted and signed with the server's keys in the data
/// folder), so no database is needed and a token cannot be made up or altered. A token acts as its visitor, never as
/// an instructor. Tokens stay valid as long as the keys do.
/// </summary>
public sealed class ApiTokens(IDataProtectionProvider provider)
{
    const string Prefix = "visitor:";
    readonly IDataProtector protector = provider.CreateProtector("ContinualLearning.ApiToken.v1");

    public string For(string visitorId) => protector.Protect(Prefix + visitorId);

    /// <summary>The visitor a token names, or null for anything that is not a token this server made.</summary>
    public string? VisitorOf(string token)
    {
        if (token.Length is 0 or > 1000) return null;
        try
        {
            var text = protector.Unprotect(token);
            return text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length > Prefix.Length ? text[Prefix.Length..] : null;
        }
        catch (CryptographicException) { return null; }
        catch (FormatException) { return null; }
    }
}

/// <summary>Authentication from "Authorization: Bearer &lt;token&gt;" (see <see cref="ApiTokens"/>).</summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        return Task.FromResult(tokens.VisitorOf(header[BearerPrefix.Length..].Trim()) is { } id
            ? AuthenticateResult.Success(new AuthenticationTicket(Visitor.Principal(id, false, Visitor.TokenScheme), Visitor.TokenScheme))
            : AuthenticateResult.Fail("The API token is not valid."));
    }
}
