using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Rlx.Server.Hosting;

/// <summary>
/// Checks the access token on every request when one is configured: <c>Authorization: Bearer TOKEN</c>, or the
/// login cookie, whose value is an HMAC of the token (the token itself never travels in a cookie or a page).
/// </summary>
internal sealed class TokenGate(string? token)
{
    public const string CookieName = "rlx_session";
    private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);
    private readonly byte[]? _session = token is null ? null : HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "rlx-dashboard-session"u8);

    public bool Enabled => _token is not null;

    public string SessionCookieValue => Convert.ToHexString(_session!);

    public bool IsTokenValid(string? candidate) =>
        _token is null || (candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token));

    public bool IsAuthorized(HttpRequest request)
    {
        if (_token is null)
        {
            return true;
        }

        string header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && IsTokenValid(header["Bearer ".Length..].Trim()))
        {
            return true;
        }

        return request.Cookies.TryGetValue(CookieName, out string? cookie)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(SessionCookieValue));
    }
}
