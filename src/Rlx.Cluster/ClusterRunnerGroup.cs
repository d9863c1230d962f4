using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Rlx.Environments;
using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// The driver's side of a run whose runners live on worker nodes. Through the broker (control) it declares the run's
/// weights exchange (fanout) and request queues, publishes one assignment per runner and broadcasts versioned weights;
/// fragments come straight from the runners over one TCP stream each (<see cref="FragmentListener"/>), into a bounded
/// intake whose acknowledgements hold runners back when the learner is behind. Duplicate fragments (sent again after a
/// broken connection, or sampled twice by a runner placed again) are dropped by id and counted; in synchronous mode
/// fragments of older weights are dropped and counted as stale.
/// </summary>
internal sealed class ClusterRunnerGroup : IEnvRunnerGroup, IAsyncEnvRunnerGroup
{
    private readonly EnvRunnerGroupRequest _request;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly bool _asynchronous;
    private readonly int _fragmentLength, _obsSize, _actSize;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    // Answers runners' requests for weights and code packages on a channel without publisher confirms, so a reply
    // never waits behind the broadcasts' confirms.
    private readonly IChannel _service;
    // The intake: fragments in arrival order. A monitor, not a BlockingCollection: the learner waits here between
    // fragments, and a semaphore's spinning before it sleeps cost the driver a third of a core of sched_yield calls
    // on a machine whose cores the runners keep busy.
    private readonly Queue<Received> _received = new();
    private readonly object _receivedLock = new();
    // Room in the intake: a stream acknowledges a fragment only once it is in, so runners wait while the learner is behind.
    private readonly SemaphoreSlim _room;
    private readonly FragmentListener _listener;
    private readonly ConcurrentBag<SampleBatch> _free = [];
    private readonly FragmentDeduplicator _seen = new();
    private readonly SampleBatch[] _results;
    private readonly string _run;
    private readonly string? _package;
    private volatile byte[] _weightsMessage = [];
    private long _version;
    private volatile string? _runnerError;
    private DateTime? _closedSince;
    private bool _disposed;

    private ClusterRunnerGroup(EnvRunnerGroupRequest request, ClusterOptions options, Action<string> log, bool asynchronous, int fragmentLength, IConnection connection, IChannel channel, IChannel service, string run, string? package, System.Net.IPAddress streamAddress)
    {
        (_request, _options, _log, _asynchronous, _fragmentLength, _connection, _channel, _service, _run, _package) = (request, options, log, asynchronous, fragmentLength, connection, channel, service, run, package);
        (_obsSize, _actSize) = (request.Policy.ObservationSize, request.Policy.ActionSize);
        _room = new SemaphoreSlim(2 * request.NumRunners);
        _listener = new FragmentListener(streamAddress, request.NumRunners, OnFragment, error => _runnerError = error, message => log($"run {run}: {message}"));
        EnvsPerRunner = EnvRunners.Columns(request.Settings);
        _results = new SampleBatch[request.NumRunners];
        for (int r = 0; r < _results.Length; r++)
        {
            _results[r] = NewBatch();
        }
    }

    public int NumRunners => _request.NumRunners;

    public int EnvsPerRunner { get; }

    /// <summary>Fragments dropped because they were sampled with older weights (synchronous mode).</summary>
    public long StaleFragments { get; private set; }

    /// <summary>Fragments dropped because their id was seen before.</summary>
    public long DuplicateFragments { get; private set; }

    /// <summary>Fragments used.</summary>
    public long AcceptedFragments { get; private set; }

    /// <summary>Environment steps in the fragments used.</summary>
    public long AcceptedSteps { get; private set; }

    /// <summary>Raised for every fragment used, with its id (<c>INCARNATION:SEQUENCE</c>).</summary>
    public event Action<string, FragmentInfo>? Accepted;

    /// <summary>The run's id on the broker.</summary>
    public string Run => _run;

    public static async Task<ClusterRunnerGroup> OpenAsync(EnvRunnerGroupRequest request, ClusterInfo cluster, ClusterOptions options, Action<string> log, bool asynchronous, int fragmentLength, string? package)
    {
        string run = $"{Sanitise(request.RunName)}-{Guid.NewGuid().ToString("N")[..8]}";
        IConnection connection = await BrokerConnection.OpenAsync(cluster, options, $"rlx driver {run}").ConfigureAwait(false);
        ClusterRunnerGroup group;
        try
        {
            IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)).ConfigureAwait(false);
            IChannel service = await connection.CreateChannelAsync().ConfigureAwait(false);
            group = new ClusterRunnerGroup(request, options, log, asynchronous, fragmentLength, connection, channel, service, run, package, FragmentStream.AddressToward(cluster.Address));
            await group.SetupAsync().ConfigureAwait(false);
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                if (!group._disposed)
                {
                    log($"run {run}: lost the broker connection ({e.ReplyText}); reconnecting");
                }

                return Task.CompletedTask;
            };
            connection.ConnectionRecoveryErrorAsync += (_, e) =>
            {
                log($"run {run}: cannot reach the broker yet ({e.Exception.Message}); retrying");
                return Task.CompletedTask;
            };
            connection.CallbackExceptionAsync += (_, e) =>
            {
                log($"run {run}: {e.Exception.GetType().Name}: {e.Exception.Message}");
                return Task.CompletedTask;
            };
            BrokerConnection.OnRecovered(connection, group.SetupAfterRecoveryAsync, log, $"run {run}");
            for (int r = 0; r < request.NumRunners; r++)
            {
                byte[] body = RunnerSpec.From(request, run, r, fragmentLength, asynchronous, package, group._listener.Endpoint, group._listener.Key).Serialize();
                await channel.BasicPublishAsync("", ClusterProtocol.Assignments, mandatory: false, ClusterProtocol.Properties("assignment", persistent: true), body).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or PublishException or IOException)
        {
            // The broker went away (or refused a declaration) while the run was being set up: say so in one line.
            connection.Dispose();
            throw new ClusterException($"Setting up run {run} on the cluster at {cluster.Address} failed: {e.Message}. Check the cluster with `rlx status` and start the run again.", e);
        }

        log($"run {run}: {request.NumRunners} runners x {request.Settings.NumEnvs} envs assigned to the cluster at {cluster.Address}; fragments stream to {group._listener.Endpoint}");
        return group;
    }

    private async Task SetupAfterRecoveryAsync() => await SetupAsync().ConfigureAwait(false);

    private async Task SetupAsync()
    {
        IChannel channel = _channel;
        await ClusterProtocol.DeclareWeightsAsync(channel, _run).ConfigureAwait(false);
        await channel.QueueDeclareAsync(ClusterProtocol.Assignments, durable: true, exclusive: false, autoDelete: false, ClusterProtocol.Quorum()).ConfigureAwait(false);
        IChannel service = _service;

        // The weights-requests queue marks the run as live for workers deciding whether to host its runners: durable,
        // so it outlives a broker restart, and gone once its driver has not consumed it for the driver timeout.
        var marker = new Dictionary<string, object?> { ["x-expires"] = (int)Math.Max(1000, _options.DriverTimeout.TotalMilliseconds) };
        await service.QueueDeclareAsync(ClusterProtocol.WeightsRequests(_run), durable: true, exclusive: false, autoDelete: false, marker).ConfigureAwait(false);
        var requests = new AsyncEventingBasicConsumer(service);
        requests.ReceivedAsync += (_, delivery) => ServeWeightsAsync(service, delivery);
        await service.BasicConsumeAsync(ClusterProtocol.WeightsRequests(_run), autoAck: true, requests).ConfigureAwait(false);
        if (_package is not null)
        {
            await service.QueueDeclareAsync(ClusterProtocol.Packages(_run), durable: false, exclusive: false, autoDelete: false).ConfigureAwait(false);
            var packages = new AsyncEventingBasicConsumer(service);
            packages.ReceivedAsync += (_, delivery) => ServePackageAsync(service, delivery);
            await service.BasicConsumeAsync(ClusterProtocol.Packages(_run), autoAck: true, packages).ConfigureAwait(false);
        }
    }

    public IReadOnlyList<SampleBatch> Sample(ReadOnlySpan<float> weights, int steps, bool deterministic = false)
    {
        if (_asynchronous)
        {
            throw new InvalidOperationException("This cluster runner group samples asynchronously: take fragments with Take.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long version = ++_version;
        EncodeWeights(weights, version, steps);
        Broadcast();
        var have = new bool[NumRunners];
        int missing = NumRunners;
        var clock = Stopwatch.StartNew();
        TimeSpan lastSend = TimeSpan.Zero, lastProgress = TimeSpan.Zero;
        while (missing > 0)
        {
            if (!TryTake(out Received item))
            {
                ThrowIfRunnerFailed();
                if (clock.Elapsed - lastSend >= _options.WeightsResendInterval)
                {
                    Broadcast();
                    lastSend = clock.Elapsed;
                }

                if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(10))
                {
                    lastProgress = clock.Elapsed;
                    _log($"waiting for runner(s) {string.Join(',', Enumerable.Range(0, NumRunners).Where(r => !have[r]))} of run {_run} ({clock.Elapsed.TotalSeconds:0} s): check `rlx status` for worker nodes with free CPUs");
                }

                if (clock.Elapsed > _options.SampleTimeout)
                {
                    throw new ClusterException(
                        $"No fragment from runner(s) {string.Join(',', Enumerable.Range(0, NumRunners).Where(r => !have[r]))} for {_options.SampleTimeout.TotalSeconds:0} s: the cluster has no free CPUs for them. Start workers (`rlx start --address ...`) or lower num_env_runners.");
                }

                continue;
            }

            _room.Release();

            bool use = item.Info.WeightsVersion == version && !have[item.Info.Runner] && _seen.Add(item.MessageId);
            if (use)
            {
                have[item.Info.Runner] = true;
                missing--;
                (_results[item.Info.Runner], item.Batch) = (item.Batch, _results[item.Info.Runner]);
                AcceptedFragments++;
                AcceptedSteps += item.Batch.Count;
                Accepted?.Invoke(item.MessageId, item.Info);
            }
            else if (item.Info.WeightsVersion != version)
            {
                StaleFragments++;
            }
            else
            {
                DuplicateFragments++;
            }

            _free.Add(item.Batch);
        }

        return _results;
    }

    public void PublishWeights(ReadOnlySpan<float> weights, long version)
    {
        _version = version;
        EncodeWeights(weights, version, _fragmentLength);
        Broadcast();
    }

    public FragmentInfo Take(SampleBatch destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var clock = Stopwatch.StartNew();
        TimeSpan lastSend = TimeSpan.Zero;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryTake(out Received item))
            {
                ThrowIfRunnerFailed();
                if (clock.Elapsed - lastSend >= _options.WeightsResendInterval)
                {
                    Broadcast();
                    lastSend = clock.Elapsed;
                }

                if (clock.Elapsed > _options.SampleTimeout)
                {
                    throw new ClusterException($"No fragment for {_options.SampleTimeout.TotalSeconds:0} s: the cluster has no free CPUs for this run's runners. Start workers (`rlx start --address ...`).");
                }

                continue;
            }

            _room.Release();

            bool use = _seen.Add(item.MessageId);
            if (use)
            {
                item.Batch.CopyTo(destination);
                AcceptedFragments++;
                AcceptedSteps += item.Batch.Count;
                Accepted?.Invoke(item.MessageId, item.Info);
            }
            else
            {
                DuplicateFragments++;
            }

            _free.Add(item.Batch);
            if (use)
            {
                return item.Info;
            }
        }
    }

    public IObservationFilter? ObservationFilter() => null;

    public IReadOnlyDictionary<string, double> Counters() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["cluster/stale_fragments"] = StaleFragments,
        ["cluster/duplicate_fragments"] = DuplicateFragments,
        ["cluster/accepted_fragments"] = AcceptedFragments,
    };

    public void SaveState(BinaryWriter writer)
    {
        // Runner state lives on the workers; a resumed cluster run restarts its environments.
    }

    public void LoadState(BinaryReader reader)
    {
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Tell the runners the run is over (before their streams close, so they do not try to reconnect).
            _channel.BasicPublishAsync(ClusterProtocol.Weights(_run), "", mandatory: false, ClusterProtocol.Properties("stop", persistent: false), ReadOnlyMemory<byte>.Empty).AsTask().GetAwaiter().GetResult();
            _channel.QueueDeleteAsync(ClusterProtocol.Packages(_run)).GetAwaiter().GetResult();
            _channel.QueueDeleteAsync(ClusterProtocol.WeightsRequests(_run)).GetAwaiter().GetResult();
            _channel.ExchangeDeleteAsync(ClusterProtocol.Weights(_run)).GetAwaiter().GetResult();
            _service.CloseAsync().GetAwaiter().GetResult();
            _channel.CloseAsync().GetAwaiter().GetResult();
            _connection.CloseAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException or PublishException)
        {
            _log($"run {_run}: could not clean up on the broker ({e.Message}); the workers give its runners up after the driver timeout");
        }

        _listener.Dispose();
        _service.Dispose();
        _channel.Dispose();
        _connection.Dispose();
        _room.Dispose();
    }

    private string? OnFragment(int runner, string incarnation, ReadOnlySpan<byte> fragment, CancellationToken cancellationToken)
    {
        _room.Wait(cancellationToken);
        SampleBatch? batch = null;
        try
        {
            // Synchronous runs may ask for fragments of any length (off-policy learners step until they next learn).
            (FragmentInfo header, int steps, _, _, _) = FragmentCodec.ReadHeader(fragment);
            if (header.Runner != runner)
            {
                _room.Release();
                return $"a fragment of runner {header.Runner} on the stream of runner {runner}";
            }

            if (!_free.TryTake(out batch) || batch.Steps != steps)
            {
                batch = NewBatch(steps);
            }

            FragmentInfo info = FragmentCodec.Read(fragment, batch);
            lock (_receivedLock)
            {
                _received.Enqueue(new Received(batch, info, $"{incarnation}:{info.Sequence}"));
                Monitor.Pulse(_receivedLock);
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            if (batch is not null)
            {
                _free.Add(batch);
            }

            _room.Release();
            return e.Message;
        }
    }

    private async Task ServeWeightsAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        // A runner placed after the last broadcast asks for the current weights, to be sent to its own queue.
        byte[] weights = _weightsMessage;
        if (weights.Length > 0 && delivery.BasicProperties.ReplyTo is { } queue && ClusterProtocol.Refusal(delivery.BasicProperties, "weights-request") is null)
        {
            try
            {
                await channel.BasicPublishAsync("", queue, mandatory: false, ClusterProtocol.Properties("weights", persistent: false), weights).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or PublishException)
            {
            }
        }
    }

    private static async Task ServePackageAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        string hash = System.Text.Encoding.UTF8.GetString(delivery.Body.Span);
        byte[] body = CodePackages.Get(hash) ?? [];
        BasicProperties properties = ClusterProtocol.Properties("package", persistent: false);
        properties.CorrelationId = delivery.BasicProperties.CorrelationId;
        if (delivery.BasicProperties.ReplyTo is { } replyTo)
        {
            await channel.BasicPublishAsync("", replyTo, mandatory: false, properties, body).ConfigureAwait(false);
        }
    }

    private void EncodeWeights(ReadOnlySpan<float> weights, long version, int steps)
    {
        // A fresh array per version (once per update, not per step): weights requests read it from another thread.
        var message = new byte[ClusterProtocol.WeightsHeaderSize + (4 * weights.Length)];
        BinaryPrimitives.WriteInt64LittleEndian(message, version);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), steps);
        MemoryMarshal.AsBytes(weights).CopyTo(message.AsSpan(ClusterProtocol.WeightsHeaderSize));
        _weightsMessage = message;
    }

    private void Broadcast()
    {
        try
        {
            _channel.BasicPublishAsync(ClusterProtocol.Weights(_run), "", mandatory: false, ClusterProtocol.Properties("weights", persistent: false), _weightsMessage).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException or PublishException)
        {
            // Re-broadcast while waiting covers this once the connection has recovered.
        }
    }

    private void ThrowIfRunnerFailed()
    {
        if (_connection.IsOpen)
        {
            _closedSince = null;
        }
        else if ((_closedSince ??= DateTime.UtcNow) < DateTime.UtcNow - BrokerConnection.ReconnectAfter(_options) - _options.ConnectTimeout)
        {
            throw new ClusterException($"Run {_run}: the broker connection closed ({_connection.CloseReason?.ReplyText}) and did not recover; continue the run from its last checkpoint with `rlx train --resume`.");
        }

        if (_runnerError is { } error)
        {
            throw new ClusterException($"Run {_run}: {error}");
        }
    }

    /// <summary>Takes the oldest fragment of the intake, waiting at most 50 ms for one.</summary>
    private bool TryTake(out Received item)
    {
        lock (_receivedLock)
        {
            if (_received.Count == 0)
            {
                Monitor.Wait(_receivedLock, 50);
            }

            return _received.TryDequeue(out item);
        }
    }

    private SampleBatch NewBatch(int? steps = null) => new(steps ?? _fragmentLength, EnvsPerRunner, _obsSize, _actSize, _request.Settings.KeepNextObservations, _request.Policy.StateSize);

    private static string Sanitise(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);

    private record struct Received(SampleBatch Batch, FragmentInfo Info, string MessageId);
}
