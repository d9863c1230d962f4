namespace Rlx.Environments.Remote;

/// <summary>How Rlx talks to simulators; every field is also an <c>env_config</c> key of <c>Remote-v0</c>.</summary>
/// <param name="TimeoutMs">Longest wait for an answer before the simulator counts as hung (<c>timeout_ms</c>). Default 10000.</param>
/// <param name="ConnectTimeoutMs">Longest wait for a connection (<c>connect_timeout_ms</c>). Default 5000.</param>
/// <param name="CheckBounds">Reject observations outside the declared observation space (<c>check_bounds</c>). Default true.</param>
/// <param name="ReconnectAttempts">Connection attempts per address before an environment gives up on all of them (<c>reconnect_attempts</c>). Default 3.</param>
public sealed record RemoteEnvOptions(int TimeoutMs = 10_000, int ConnectTimeoutMs = 5_000, bool CheckBounds = true, int ReconnectAttempts = 3)
{
    /// <summary>Reads the options from environment arguments.</summary>
    public static RemoteEnvOptions From(EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        var defaults = new RemoteEnvOptions();
        var options = new RemoteEnvOptions(
            kwargs.Get("timeout_ms", defaults.TimeoutMs),
            kwargs.Get("connect_timeout_ms", defaults.ConnectTimeoutMs),
            kwargs.Get("check_bounds", defaults.CheckBounds),
            kwargs.Get("reconnect_attempts", defaults.ReconnectAttempts));
        if (options.TimeoutMs < 1 || options.ConnectTimeoutMs < 1 || options.ReconnectAttempts < 1)
        {
            throw new ArgumentException($"Remote environment options must be positive: timeout_ms = {options.TimeoutMs}, connect_timeout_ms = {options.ConnectTimeoutMs}, reconnect_attempts = {options.ReconnectAttempts}.");
        }

        return options;
    }
}
