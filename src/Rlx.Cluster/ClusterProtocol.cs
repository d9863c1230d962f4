using System.Security.Cryptography;

namespace Rlx.Cluster;

/// <summary>What every node of a cluster agrees on: the protocol version, the join token's form and the weights message layout.</summary>
internal static class ClusterProtocol
{
    /// <summary>Protocol version; calls of any other version are refused with the reason.</summary>
    public const int Version = 5;

    /// <summary>Bytes before the floats of a weights message: the version (int64), the steps to sample with it (int32), 4 bytes reserved.</summary>
    public const int WeightsHeaderSize = 16;

    /// <summary>Request-context key of the caller's protocol version.</summary>
    public const string VersionKey = "rlx-protocol";

    /// <summary>Request-context key of the caller's join token.</summary>
    public const string TokenKey = "rlx-token";

    /// <summary>The Orleans cluster and service id of every Rlx cluster.</summary>
    public const string ClusterId = "rlx";

    /// <summary>A new random join token: <c>rlx:</c> and 32 hex digits.</summary>
    public static string NewToken() => $"rlx:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    /// <summary>
    /// Null when <paramref name="token"/> can be a head's join token, else what is wrong with it: <c>USER:SECRET</c>, both of
    /// letters, digits, '.', '_' or '-', the secret at least 16 characters.
    /// </summary>
    public static string? CheckToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == token.Length - 1)
        {
            return $"the token must look like USER:SECRET (got {(token.Length == 0 ? "an empty one" : $"'{Elide(token)}'")})";
        }

        static bool Plain(string part) => part.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        (string user, string secret) = (token[..colon], token[(colon + 1)..]);
        if (!Plain(user) || !Plain(secret))
        {
            return "the token's user and secret may hold only letters, digits, '.', '_' and '-'";
        }

        return secret.Length < 16 ? $"the token's secret has {secret.Length} characters; use at least 16 (a head's own token has 32 hex digits)" : null;
    }

    /// <summary>Whether two tokens are equal, compared in constant time.</summary>
    public static bool SameToken(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    private static string Elide(string token) => token.Length <= 8 ? new string('*', token.Length) : $"{token[..4]}…";
}
