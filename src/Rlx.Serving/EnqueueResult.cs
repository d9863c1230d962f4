namespace Rlx.Serving;

/// <summary>What became of a request handed to <see cref="ActionBatcher.TryEnqueue"/>.</summary>
internal enum EnqueueResult
{
    /// <summary>Queued: it will be answered exactly once.</summary>
    Queued,

    /// <summary>The queue is full; nothing was queued.</summary>
    Full,

    /// <summary>The service is stopping; nothing was queued.</summary>
    Stopping,
}
