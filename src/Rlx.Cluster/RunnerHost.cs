using Rlx.Environments;
using Rlx.Policies;
using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// One runner on a worker: builds the environments and policy from its assignment, takes the newest weights
/// through its worker's subscription to the run's weights (<see cref="RunWeights"/>), samples fragments and streams
/// them straight to the run's driver (<see cref="FragmentSender"/>). Synchronous runs sample once per weights version;
/// asynchronous runs never wait for new weights.
/// </summary>
internal sealed class RunnerHost : IAssignmentHost
{
    private readonly RunnerSpec _spec;
    private readonly Func<ClusterConnection?> _connection;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly WeightsSubscriptions _subscriptions;
    private readonly Thread _thread;
    private readonly string _incarnation = Guid.NewGuid().ToString("N")[..12];
    private readonly CancellationTokenSource _driverGone = new();
    private FragmentSender? _sender;
    private long _steps;

    public RunnerHost(RunnerSpec spec, int restarts, Func<ClusterConnection?> connection, WeightsSubscriptions subscriptions, ClusterOptions options, string nodeId, Action<string> log)
    {
        (_spec, Restarts, _connection, _subscriptions, _options, NodeId, _log) = (spec, restarts, connection, subscriptions, options, nodeId, log);
        _thread = new Thread(Run) { IsBackground = true, Name = $"rlx-runner-{spec.Runner}" };
    }

    public RunnerSpec Spec => _spec;

    public string RunName => _spec.RunName;

    public int Slots => 1;

    /// <summary>Whether the run is over for this runner: its driver said stop, or stayed unreachable for the driver timeout.</summary>
    private bool DriverGone => _driverGone.IsCancellationRequested;

    public int Restarts { get; }

    public string NodeId { get; }

    public string State { get; private set; } = "idle";

    public string? LastError { get; private set; }

    /// <summary>Raised once when the runner ends (run finished, driver gone, failure or stop).</summary>
    public event Action<IAssignmentHost>? Ended;

    public void Start() => _thread.Start();

    /// <summary>Stops the runner; its slot goes back to the head, which places it again (elsewhere, or here later).</summary>
    public void Stop()
    {
        Released = true;
        _stop.Cancel();
    }

    /// <summary>Whether the runner was stopped by its worker (handed back) rather than ending by itself.</summary>
    public bool Released { get; private set; }

    public RunnerReport Report() => new(_spec.Run, _spec.RunName, _spec.Runner, State, Restarts, Interlocked.Read(ref _steps), LastError, NodeId);

    public void Dispose()
    {
        _stop.Cancel();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }

        _sender?.Dispose();
        _stop.Dispose();
        _driverGone.Dispose();
    }

    private void Run()
    {
        try
        {
            Loop();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LastError = e.Message;
            State = "dead";
            _log($"runner {_spec.Runner} of run {_spec.RunName} failed: {e.Message}");
            ReportFailure($"runner {_spec.Runner} on node {NodeId} failed: {e.Message}");
        }
        finally
        {
            Ended?.Invoke(this);
        }
    }

    // Everything blocks this runner's own thread: an await here would move the sampling loop (and an environment's
    // blocking step) onto the shared thread pool, which starves when a worker hosts hundreds of slow runners.
    private void Loop()
    {
        CancellationToken stop = _stop.Token;
        _sender = new FragmentSender(_spec.FragmentEndpoint, Convert.FromBase64String(_spec.FragmentKey), _spec.Runner, _incarnation, _options, message => _log($"runner {_spec.Runner} of run {_spec.RunName}: {message}"), stop, _driverGone.Token);
        EnvRunnerSettings settings = _spec.Settings();
        if (_spec.Package is { } package)
        {
            CodePackages.Ensure(package, hash => CodePackages.FetchAsync(_connection, _spec.Run, _spec.RunName, hash, _options, stop).GetAwaiter().GetResult());
        }

        (Spaces.Space observationSpace, Spaces.Space actionSpace) = EnvRunners.PolicySpaces(settings);
        RolloutPolicy policy = _spec.Policy.Create(observationSpace, actionSpace);
        using IEnvRunner runner = EnvRunners.Create(settings, policy, _spec.Seed + (_spec.Runner * _spec.NumEnvs), ActionSeed(_spec.Seed, _spec.Runner, Restarts));
        RunWeights weights = _subscriptions.Acquire(_spec.Run, stop);
        try
        {
            // The driver's stop reaches a runner wherever it waits (for weights, or for its driver to take a fragment).
            using CancellationTokenRegistration ended = weights.Ended.Register(_driverGone.Cancel);
            Sample(runner, weights, _sender, stop);
        }
        finally
        {
            _subscriptions.Release(_spec.Run);
        }
    }

    private void Sample(IEnvRunner runner, RunWeights weights, FragmentSender sender, CancellationToken stop)
    {
        long loaded = -1, sequence = 0;
        Action<float[]> load = values => runner.SetWeights(values);
        // The fragment being written and the ones the sender may still have to send again.
        var buffers = new byte[FragmentSender.Window + 1][];
        Array.Fill(buffers, []);
        int which = 0;
        while (!stop.IsCancellationRequested)
        {
            // Wait for weights newer than the last sampled with (synchronous) or for any weights (asynchronous).
            DateTime deadline = DateTime.UtcNow + _options.DriverTimeout;

            while (!Over(weights) && weights.Version == loaded && (!_spec.Asynchronous || loaded < 0))
            {
                State = "idle";
                if (DateTime.UtcNow > deadline)
                {
                    _log($"runner {_spec.Runner} of run {_spec.RunName}: no weights from the driver for {_options.DriverTimeout.TotalSeconds:0} s; giving the slot back");
                    return;
                }

                weights.WaitForNewer(loaded, TimeSpan.FromMilliseconds(200), stop);
            }

            if (Over(weights))
            {
                break;
            }

            State = "running";
            // Loading weights re-packs them for inference: only when a newer version came. A synchronous driver says
            // with each version how many steps it wants sampled with it.
            loaded = weights.CopyIfNewer(loaded, load, out int wanted);
            int steps = _spec.Asynchronous || wanted < 1 ? _spec.FragmentLength : wanted;

            SampleBatch batch = runner.Sample(steps);
            if (DriverGone)
            {
                break;
            }

            int size = FragmentStream.FrameHeaderSize + FragmentCodec.Size(batch);
            if (buffers[which].Length < size)
            {
                buffers[which] = new byte[size];
            }

            int written = FragmentCodec.Write(batch, new FragmentInfo(_spec.Runner, loaded, sequence), buffers[which].AsSpan(FragmentStream.FrameHeaderSize));

            // Up to FragmentSender.Window fragments in flight: the driver's acknowledgements overlap the sampling of the next.
            if (!sender.Send(buffers[which], written, sequence))
            {
                _driverGone.Cancel(); // the sender said why; the slot goes back
                break;
            }

            which = (which + 1) % buffers.Length;
            sequence++;
            Interlocked.Add(ref _steps, batch.Count);
        }

        // The last fragment in flight (a run that is over, or a runner told to stop, does not wait for it).
        sender.Settle();
    }

    /// <summary>Whether the run is over for this runner (noting a stop its driver broadcast).</summary>
    private bool Over(RunWeights weights)
    {
        if (weights.Stopped && !DriverGone)
        {
            _driverGone.Cancel();
        }

        return DriverGone;
    }

    // The driver learns of a failure it does not hear about from its sample timeout instead.
    private void ReportFailure(string message) => _sender?.SendError(message);

    private static ulong ActionSeed(int seed, int runner, int restarts)
    {
        Span<ulong> words = stackalloc ulong[1];
        Rlx.Random.SeedSequence.GenerateState(((ulong)(uint)seed << 20) ^ (ulong)(runner + 1) ^ ((ulong)restarts << 40), words);
        return words[0];
    }
}
