using System.Text;
using RabbitMQ.Client;

namespace Rlx.Cluster;

/// <summary>Names of the broker objects the cluster uses and the header every message carries.</summary>
internal static class ClusterProtocol
{
    /// <summary>Protocol version; messages of any other version are rejected with a logged reason.</summary>
    public const int Version = 3;

    /// <summary>Bytes before the floats of a weights message: the version (int64), the steps to sample with it (int32), 4 bytes reserved.</summary>
    public const int WeightsHeaderSize = 16;

    /// <summary>Header naming the protocol version.</summary>
    public const string VersionHeader = "rlx-protocol";

    /// <summary>Header naming the message type.</summary>
    public const string TypeHeader = "rlx-type";

    /// <summary>Queue of runner assignments (quorum, manual acks): a worker holds one unacked message per runner it hosts.</summary>
    public const string Assignments = "rlx.assignments";

    /// <summary>Queue of node heartbeats, consumed by the head.</summary>
    public const string Heartbeats = "rlx.heartbeats";

    /// <summary>Queue of control requests (status, …) answered by the head through direct reply-to.</summary>
    public const string Control = "rlx.control";

    /// <summary>Direct reply-to pseudo-queue.</summary>
    public const string ReplyTo = "amq.rabbitmq.reply-to";

    /// <summary>Fanout exchange of one run's weights.</summary>
    public static string Weights(string run) => $"rlx.run.{run}.weights";

    /// <summary>
    /// Declares one run's weights exchange. The driver and every runner declare it (with the same arguments), so a
    /// runner placed while a restarted broker has not yet seen its driver again can still bind to it.
    /// </summary>
    public static Task DeclareWeightsAsync(IChannel channel, string run, CancellationToken cancellationToken = default) =>
        channel.ExchangeDeclareAsync(Weights(run), ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken);

    /// <summary>
    /// Queue of one run's weights requests (from runners placed after the last broadcast), answered by its driver. It exists
    /// exactly while the run's driver does (it expires after the driver timeout without its consumer), so workers check it
    /// before hosting a runner.
    /// </summary>
    public static string WeightsRequests(string run) => $"rlx.run.{run}.weights-requests";

    /// <summary>Queue of one run's code-package requests, answered by its driver.</summary>
    public static string Packages(string run) => $"rlx.run.{run}.packages";

    /// <summary>Arguments of a quorum queue.</summary>
    public static Dictionary<string, object?> Quorum() => new() { ["x-queue-type"] = "quorum" };

    /// <summary>Properties of a message of <paramref name="type"/>.</summary>
    public static BasicProperties Properties(string type, bool persistent) => new()
    {
        Persistent = persistent,
        Headers = new Dictionary<string, object?> { [VersionHeader] = Version, [TypeHeader] = type },
    };

    /// <summary>Checks a received message's version and type; returns why it is refused, or null to accept it.</summary>
    public static string? Refusal(IReadOnlyBasicProperties properties, string expectedType)
    {
        object? version = Header(properties, VersionHeader);
        long? number = version switch { int i => i, long l => l, byte b => b, short s => s, _ => null };
        if (number != Version)
        {
            return $"protocol version {(version is null ? "missing" : number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? version.ToString())}, this node speaks {Version} (upgrade the older side)";
        }

        string? type = Text(Header(properties, TypeHeader));
        return type == expectedType ? null : $"message type '{type}' on a queue of '{expectedType}' messages";
    }

    /// <summary>A header's value, or null.</summary>
    public static object? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out object? value) ? value : null;

    /// <summary>A header value as text (the broker delivers strings as bytes).</summary>
    public static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        null => null,
        _ => value.ToString(),
    };

    /// <summary>An integer header value, or <paramref name="fallback"/>.</summary>
    public static long Integer(object? value, long fallback = 0) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        _ => fallback,
    };
}
