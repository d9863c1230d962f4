namespace Rlx.Cluster;

/// <summary>
/// Turns what users type (<c>auto</c>, <c>HOST:PORT</c>, or nothing with <c>RLX_ADDRESS</c> set) into the head's
/// address and the join token of a running cluster.
/// </summary>
public static class ClusterAddress
{
    /// <summary>Resolves <paramref name="address"/> (and <paramref name="token"/>, else <c>RLX_TOKEN</c>, else the local session's).</summary>
    public static ClusterInfo Resolve(string? address, string? token = null)
    {
        token ??= Environment.GetEnvironmentVariable("RLX_TOKEN") is { Length: > 0 } t ? t : null;
        if (string.IsNullOrWhiteSpace(address) || address == "auto")
        {
            string? fromEnv = Environment.GetEnvironmentVariable("RLX_ADDRESS");
            if (!string.IsNullOrWhiteSpace(fromEnv) && fromEnv != "auto")
            {
                return Resolve(fromEnv, token);
            }

            ClusterInfo? latest = SessionDirectory.Latest()?.ReadClusterInfo();
            if (latest is null || (latest.HeadPid > 0 && !SessionDirectory.IsAlive(latest.HeadPid)))
            {
                throw new ClusterException(
                    $"No running cluster found (looked for {Path.Combine(SessionDirectory.Root, "session_latest", "cluster.json")} and RLX_ADDRESS): start one with `rlx start --head`, or give its address as HOST:PORT.");
            }

            return token is null ? latest : latest with { Token = token };
        }

        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out int port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"The cluster address '{address}' is not HOST:PORT or auto (e.g. 127.0.0.1:6379).");
        }

        if (token is null)
        {
            ClusterInfo? latest = SessionDirectory.Latest()?.ReadClusterInfo();
            token = latest is not null && SameEndpoint(latest.Address, address) ? latest.Token : MissingToken(address);
        }

        return new ClusterInfo(address, token);
    }

    /// <summary>Whether a <c>HOST:PORT</c> address is reachable from this machine only (127.0.0.1, ::1, localhost).</summary>
    public static bool IsLoopback(string address)
    {
        int colon = address.LastIndexOf(':');
        string host = (colon > 0 ? address[..colon] : address).Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? ip) && System.Net.IPAddress.IsLoopback(ip));
    }

    private static string MissingToken(string address) => throw new ArgumentException(
        $"Joining the cluster at {address} needs its token: pass --token (printed by `rlx start --head`) or set RLX_TOKEN.");

    private static bool SameEndpoint(string a, string b)
    {
        static string Normalise(string s) => s.Replace("localhost", "127.0.0.1", StringComparison.OrdinalIgnoreCase);
        return string.Equals(Normalise(a), Normalise(b), StringComparison.OrdinalIgnoreCase);
    }
}
