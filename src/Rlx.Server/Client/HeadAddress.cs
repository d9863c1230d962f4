namespace Rlx.Server.Client;

/// <summary>Where clients find the head's services when no address is given.</summary>
public static class HeadAddress
{
    /// <summary>The default dashboard URL, <c>http://127.0.0.1:8265</c>.</summary>
    public const string Default = "http://127.0.0.1:8265";

    /// <summary>
    /// Resolves the address of the head's services: <paramref name="explicitAddress"/> if given; else
    /// <c>RLX_ADDRESS</c> (an <c>http://</c> URL is used as it is; a cluster address <c>HOST:PORT</c> gives
    /// <c>http://HOST:8265</c>); else <see cref="Default"/>. A bare <c>HOST:PORT</c> passed explicitly is
    /// taken as the dashboard's own address.
    /// </summary>
    public static Uri Resolve(string? explicitAddress, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(explicitAddress))
        {
            return Parse(explicitAddress.Trim(), keepPort: true);
        }

        return environment("RLX_ADDRESS") is { Length: > 0 } cluster ? Parse(cluster.Trim(), keepPort: false) : new Uri(Default);
    }

    private static Uri Parse(string text, bool keepPort)
    {
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out Uri? url)
                ? url
                : throw new ArgumentException($"'{text}' is not a URL: use e.g. http://127.0.0.1:8265.", nameof(text));
        }

        if (!Uri.TryCreate("http://" + text, UriKind.Absolute, out Uri? parsed) || parsed.Host.Length == 0)
        {
            throw new ArgumentException($"'{text}' is not an address: use http://HOST:8265 or HOST:PORT.", nameof(text));
        }

        return new UriBuilder("http", parsed.Host, keepPort && !parsed.IsDefaultPort ? parsed.Port : Hosting.HeadServicesOptions.DefaultPort).Uri;
    }
}
