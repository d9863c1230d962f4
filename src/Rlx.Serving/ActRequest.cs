using System.Buffers;
using System.Text.Json;
using System.Threading.Tasks.Sources;

namespace Rlx.Serving;

/// <summary>
/// One request for actions, pooled and reused: its observations (rows of the observation size), the actions the
/// inference loop writes back, the version that answered, and its completion, which an HTTP handler awaits
/// (<see cref="WaitAsync"/>) and a binary-protocol connection thread blocks on (<see cref="Wait"/>). Buffers grow to the
/// largest request the object has carried and are kept, so steady traffic allocates nothing here.
/// </summary>
internal sealed class ActRequest : IValueTaskSource, IDisposable
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private ManualResetEventSlim? _event;
    private bool _blocking;

    /// <summary>Observations, <see cref="Count"/> rows.</summary>
    public float[] Observations { get; private set; } = [];

    /// <summary>Actions written by the inference loop, <see cref="Count"/> rows.</summary>
    public float[] Actions { get; private set; } = [];

    /// <summary>Rows in this request.</summary>
    public int Count { get; set; }

    /// <summary>Greedy/mean actions rather than sampled ones.</summary>
    public bool Deterministic { get; set; }

    /// <summary>The policy version that answered.</summary>
    public long Version { get; private set; }

    /// <summary>Why the request was not answered with actions (the service is stopping, or inference failed), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Response bytes (HTTP), reused.</summary>
    public ArrayBufferWriter<byte> Output { get; } = new(1024);

    /// <summary>A JSON writer over <see cref="Output"/>, reused.</summary>
    public Utf8JsonWriter Json { get; private set; } = null!;

    /// <summary>Makes room for <paramref name="rows"/> rows (growing by doubling, up to <paramref name="maxRows"/>), keeping the rows already written.</summary>
    public void EnsureRows(int rows, int maxRows, int observationSize, int actionSize)
    {
        if (Observations.Length < rows * observationSize)
        {
            int doubled = 2 * (Observations.Length / Math.Max(observationSize, 1));
            float[] grown = new float[Math.Min(maxRows, Math.Max(rows, doubled)) * observationSize];
            Observations.CopyTo(grown, 0);
            Observations = grown;
        }

        if (Actions.Length < rows * actionSize)
        {
            Actions = new float[rows * actionSize];
        }
    }

    /// <summary>Readies the request for a new use: not complete, and (if <paramref name="blocking"/>) to be waited for with <see cref="Wait"/>.</summary>
    public void Begin(bool blocking)
    {
        _core.Reset();
        (_blocking, Failure, Version, Count) = (blocking, null, 0, 0);
        if (blocking)
        {
            _event ??= new ManualResetEventSlim(false, spinCount: 0);
            _event.Reset();
        }
        else
        {
            Output.ResetWrittenCount();
            if (Json is null)
            {
                Json = new Utf8JsonWriter(Output, PolicyHttp.WriterOptions);
            }
            else
            {
                Json.Reset(Output);
            }
        }
    }

    /// <summary>Inference loop: the actions are written by <paramref name="version"/>.</summary>
    public void Complete(long version)
    {
        Version = version;
        Signal();
    }

    /// <summary>Inference loop: the request will not be answered with actions.</summary>
    public void Fail(string reason)
    {
        Failure = reason;
        Signal();
    }

    /// <summary>Completes when the inference loop has answered.</summary>
    public ValueTask WaitAsync() => new(this, _core.Version);

    /// <summary>Blocks until the inference loop has answered (a request begun with <c>blocking: true</c>).</summary>
    public void Wait() => _event!.Wait();

    /// <inheritdoc />
    public void GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <inheritdoc />
    public void Dispose()
    {
        _event?.Dispose();
        Json?.Dispose();
    }

    private void Signal()
    {
        if (_blocking)
        {
            _event!.Set();
        }
        else
        {
            _core.SetResult(true);
        }
    }
}
