namespace Rlx.Environments.Remote;

/// <summary>
/// How a batch of remote environments is laid out over simulator connections: <c>address</c> (one or
/// more host:port), <c>connections</c> (sessions to open; default one per address, at most one per
/// environment) and the <see cref="RemoteEnvOptions"/>. Session <c>c</c> holds a contiguous block of the
/// environments and connects to address <c>c</c> mod the number of addresses.
/// </summary>
internal sealed class SessionPlan
{
    private SessionPlan(string addressKey, string[] addresses, int connections, RemoteEnvOptions options)
    {
        AddressKey = addressKey;
        Addresses = addresses;
        Connections = connections;
        Options = options;
    }

    public string AddressKey { get; }

    public string[] Addresses { get; }

    public int Connections { get; }

    public RemoteEnvOptions Options { get; }

    /// <summary>Reads the plan from <paramref name="kwargs"/> (unknown keys are errors naming <paramref name="envId"/>).</summary>
    public static SessionPlan From(EnvKwargs kwargs, string envId)
    {
        (string key, string[] addresses) = SimulatorSession.ReadAddresses(kwargs, envId);
        int connections = kwargs.Get("connections", addresses.Length);
        if (connections < 1)
        {
            throw new ArgumentException($"{envId}: connections = {connections} must be at least 1 (simulator sessions to open; default one per address).");
        }

        RemoteEnvOptions options = RemoteEnvOptions.From(kwargs);
        kwargs.ThrowIfUnused(envId);
        return new SessionPlan(key, addresses, connections, options);
    }

    /// <summary>First environment of session <paramref name="session"/> among <paramref name="sessions"/> sharing <paramref name="numEnvs"/>.</summary>
    public static int Offset(int session, int sessions, int numEnvs) => (int)((long)numEnvs * session / sessions);

    /// <summary>
    /// Opens min(<see cref="Connections"/>, <paramref name="numEnvs"/>) sessions holding
    /// <paramref name="numEnvs"/> environments together; all must report the same spaces.
    /// </summary>
    public SimulatorSession[] OpenAll(int numEnvs)
    {
        int count = Math.Min(Connections, numEnvs), start = RemoteEnvs.StartIndex(AddressKey, Addresses.Length);
        var sessions = new SimulatorSession[count];
        try
        {
            for (int c = 0; c < count; c++)
            {
                int size = Offset(c + 1, count, numEnvs) - Offset(c, count, numEnvs);
                sessions[c] = SimulatorSession.Open(Addresses[(start + c) % Addresses.Length], size, Options);
                sessions[c].CheckSameSpaces(sessions[0]);
            }

            return sessions;
        }
        catch
        {
            foreach (SimulatorSession? session in sessions)
            {
                session?.Dispose();
            }

            throw;
        }
    }
}
