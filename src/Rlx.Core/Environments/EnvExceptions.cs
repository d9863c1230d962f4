using System.Globalization;
using Rlx.Spaces;

namespace Rlx.Environments;

/// <summary>An action outside the environment's action space.</summary>
public sealed class InvalidActionException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="envId"/>; <paramref name="problem"/> comes from <see cref="Space.Explain"/>.</summary>
    public InvalidActionException(string envId, Space actionSpace, string problem)
        : base($"{envId}: action {problem}. Actions must lie in the action space {actionSpace}"
            + (actionSpace is Box ? "; wrap the environment in ClipAction to clip a policy's raw output into the box." : "; sample from ActionSpace or map the policy's output into it."), "action")
    {
        EnvId = envId;
    }

    /// <summary>The environment that refused the action.</summary>
    public string EnvId { get; }
}

/// <summary>Step called before the first reset or after an episode ended without a reset.</summary>
public sealed class ResetNeededException : InvalidOperationException
{
    /// <summary>Creates the exception; <paramref name="endedAtStep"/> is null if the environment was never reset.</summary>
    public ResetNeededException(string envId, long? endedAtStep)
        : base(endedAtStep is { } step
            ? $"{envId}: Step called after the episode ended (at step {step}) without Reset. Call Reset before stepping again, or use a vector env, which resets automatically."
            : $"{envId}: Step called before Reset. Call Reset (optionally with a seed) to start the first episode.")
    {
        EnvId = envId;
    }

    /// <summary>The environment that was stepped out of order.</summary>
    public string EnvId { get; }
}

/// <summary>An environment produced NaN or infinity in an observation or reward.</summary>
public sealed class NonFiniteValueException : InvalidOperationException
{
    /// <summary>Creates the exception; <paramref name="step"/> is null for values produced by a reset.</summary>
    public NonFiniteValueException(string envId, string field, double value, long? step)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{envId} produced {field} = {value} {(step is { } s ? $"at episode step {s + 1}" : "on reset")}. Observations and rewards must be finite: check the environment's dynamics for division by zero, overflow or uninitialised state."))
    {
        EnvId = envId;
        Field = field;
    }

    /// <summary>The environment that produced the value.</summary>
    public string EnvId { get; }

    /// <summary>Which value was not finite, e.g. <c>observation[2]</c> or <c>reward</c>.</summary>
    public string Field { get; }
}
