using System.Diagnostics;
using System.Globalization;
using Rlx.Environments.Remote;
using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Serving;

/// <summary>
/// Inference-only answers for binary-protocol policy clients: GET_ACTION goes through the same queue and batches as
/// HTTP requests; rewards, logged actions and episode ends are acknowledged and ignored (nothing learns here);
/// GET_WEIGHTS gets the current version's weights where the WEIGHTS message can describe them.
/// </summary>
internal sealed class BinaryActionHandler(PolicyService service) : IPolicyClientHandler<BinaryActionHandler.Episode>
{
    /// <summary>Nothing is kept per episode: every action is computed from its observation alone.</summary>
    internal sealed class Episode
    {
        public static readonly Episode Instance = new();
    }

    public string? LogActionRefusal => null;

    public void Accept(string peer, string name, Space observationSpace, Space actionSpace)
    {
        ServedPolicy served = service.Current;
        bool observation = !SpaceCodec.SameSpace(served.Snapshot.ObservationSpace, observationSpace);
        if (observation || !SpaceCodec.SameSpace(served.Snapshot.ActionSpace, actionSpace))
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed,
                $"{peer} ({name}): {(observation ? "observation" : "action")} space: expected {(observation ? served.Snapshot.ObservationSpace : served.Snapshot.ActionSpace)} " +
                $"(the served {served.EnvId} policy's), received {(observation ? observationSpace : actionSpace)}");
        }
    }

    public Episode StartEpisode(uint id, string peer, int observationSize, int actionSize) => Episode.Instance;

    public string? Act(Episode episode, uint id, ReadOnlySpan<float> observation, Span<float> action)
    {
        long started = Stopwatch.GetTimestamp();
        ActRequest request = service.Rent(blocking: true);
        try
        {
            request.EnsureRows(1, 1, observation.Length, action.Length);
            observation.CopyTo(request.Observations);
            request.Count = 1;
            request.Deterministic = service.Options.Deterministic;
            switch (service.Enqueue(request))
            {
                case EnqueueResult.Full:
                    service.Metrics.Request(Transport.Binary, RequestOutcome.Rejected);
                    return string.Create(CultureInfo.InvariantCulture,
                        $"GET_ACTION episode {id}: the server is busy ({service.Options.QueueCapacity} requests queued, the --queue limit); ask again shortly");
                case EnqueueResult.Stopping:
                    service.Metrics.Request(Transport.Binary, RequestOutcome.Rejected);
                    return $"GET_ACTION episode {id}: the server is stopping";
            }

            request.Wait();
            if ((request.Failure ?? ActJson.NonFiniteAction(request, action.Length)) is { } failure)
            {
                service.Metrics.Request(Transport.Binary, RequestOutcome.Failed);
                return $"GET_ACTION episode {id}: {failure}";
            }

            request.Actions.AsSpan(0, action.Length).CopyTo(action);
            service.Metrics.Request(Transport.Binary, RequestOutcome.Ok, started);
            return null;
        }
        finally
        {
            service.Return(request);
        }
    }

    public void AddReward(Episode episode, float reward)
    {
    }

    public void EndEpisode(Episode episode, ReadOnlySpan<float> observation, byte flags)
    {
    }

    public void Abort(Episode episode, string reason)
    {
    }

    public void LogAction(Episode episode, ReadOnlySpan<float> observation, ReadOnlySpan<float> action)
    {
    }

    public byte[]? WeightsPayload(out string unavailable)
    {
        ServedPolicy served = service.Current;
        unavailable = served.WeightsUnavailable;
        return served.WeightsPayload;
    }

    public void Faulted(RemoteFaultException fault)
    {
        service.Metrics.Request(Transport.Binary, RequestOutcome.BadRequest);
        service.Report($"binary client: {fault.Kind}: {fault.Message}; closing the connection");
    }
}
