namespace Rlx.Cluster;

/// <summary>
/// What a client needs to reach a running cluster, written by the head to <c>cluster.json</c> in its
/// session directory (readable only by its owner): the broker address and the join token.
/// </summary>
/// <param name="Address">Broker address as <c>HOST:PORT</c> (what workers pass to <c>--address</c>).</param>
/// <param name="Token">Join token: the broker credentials as <c>user:password</c>.</param>
/// <param name="VirtualHost">Broker virtual host.</param>
/// <param name="HeadPid">The head process.</param>
/// <param name="DashboardUrl">The head's dashboard, when it serves one.</param>
public sealed record ClusterInfo(string Address, string Token, string VirtualHost = "/", int HeadPid = 0, string? DashboardUrl = null)
{
    /// <summary>The AMQP URI with credentials.</summary>
    public Uri BrokerUri()
    {
        int colon = Token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException("The cluster token must look like USER:PASSWORD (the head prints it, and writes it to cluster.json in its session directory).");
        }

        string user = Uri.EscapeDataString(Token[..colon]), password = Uri.EscapeDataString(Token[(colon + 1)..]);
        string vhost = VirtualHost == "/" ? "%2F" : Uri.EscapeDataString(VirtualHost);
        return new Uri($"amqp://{user}:{password}@{Address}/{vhost}");
    }
}
