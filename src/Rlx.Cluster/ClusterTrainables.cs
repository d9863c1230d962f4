using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rlx.Algorithms;
using Rlx.Checkpoints;
using Rlx.Tune;

namespace Rlx.Cluster;

/// <summary>
/// Trials that run as whole jobs on a cluster's workers, as Ray Tune places its trials: each trial (its learner and its
/// <c>num_env_runners</c> runners, 1 + <c>num_env_runners</c> CPUs) is placed by the head on a worker with that many free
/// CPUs, connects back to this process, and trains there an iteration at a time as the experiment asks; result rows
/// and checkpoints come back here, so the experiment directory (and <c>rlx tune --resume</c>) stays on this machine.
/// A trial whose worker is lost fails, and the experiment restarts it from its last checkpoint on another worker
/// (counted against <c>--max-failures</c>).
/// </summary>
public sealed class ClusterTrainables : ITrainableFactory
{
    private readonly AlgorithmTrainables _local;

    /// <summary>Trials of <paramref name="algorithm"/> on the cluster at <paramref name="address"/> (<c>auto</c> or <c>HOST:PORT</c>); <paramref name="token"/> defaults to <c>RLX_TOKEN</c> or the local session's.</summary>
    public ClusterTrainables(string algorithm, string address = "auto", string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(algorithm);
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        (Algorithm, Address, Token, _local) = (algorithm, address, token, new AlgorithmTrainables(algorithm));
    }

    /// <summary>The algorithm the trials train.</summary>
    public string Algorithm { get; }

    /// <summary>The cluster's address as given.</summary>
    public string Address { get; }

    /// <summary>The join token as given (null: from the environment or the local session).</summary>
    public string? Token { get; }

    /// <summary>CPUs a trial of <paramref name="config"/> takes on a worker: its learner and its runners.</summary>
    public static int Slots(IReadOnlyDictionary<string, object?> config, string algorithm) =>
        1 + AlgorithmCatalog.CreateConfig(algorithm, ConfigBinding.Nested(config ?? throw new ArgumentNullException(nameof(config)))).NumEnvRunners;

    /// <summary>How many trials of <paramref name="config"/> the cluster's live workers hold at once (at least 1).</summary>
    /// <exception cref="ClusterException">The cluster cannot be reached.</exception>
    public int TrialsAtOnce(IReadOnlyDictionary<string, object?> config)
    {
        int slots = Slots(config, Algorithm);
        ClusterStatus status = HeadNode.QueryStatusAsync(ClusterAddress.Resolve(Address, Token), Options, Options.ConnectTimeout).GetAwaiter().GetResult();
        return Math.Max(1, Workers(status).Sum(w => w.NumCpus / slots));
    }

    /// <inheritdoc />
    public long Validate(IReadOnlyDictionary<string, object?> config) => _local.Validate(config);

    /// <inheritdoc />
    public ITrainable Create(IReadOnlyDictionary<string, object?> config, string runDirectory, CancellationToken cancellationToken)
    {
        AlgorithmConfig built = AlgorithmCatalog.CreateConfig(Algorithm, ConfigBinding.Nested(config));
        return Start(runDirectory, config, null, 1 + built.NumEnvRunners, built.Env, built.EnvConfig, cancellationToken);
    }

    /// <inheritdoc />
    public ITrainable Restore(string checkpoint, IReadOnlyDictionary<string, object?> config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        Dictionary<string, byte[]> files = CheckpointDirectory.Read(checkpoint);
        JsonObject saved = (files.TryGetValue("state.json", out byte[]? state) ? JsonNode.Parse(state)?["config"] as JsonObject : null)
            ?? throw new InvalidDataException($"Checkpoint '{checkpoint}' holds no config in state.json.");
        Dictionary<string, object?> overrides = config.ToDictionary(p => ConfigBinding.Canonical(p.Key), p => p.Value, StringComparer.Ordinal);
        int runners = overrides.TryGetValue("num_env_runners", out object? n) ? Convert.ToInt32(n, CultureInfo.InvariantCulture) : saved["num_env_runners"]?.GetValue<int>() ?? 1;
        string env = overrides.TryGetValue("env", out object? e) ? Convert.ToString(e, CultureInfo.InvariantCulture)! : saved["env"]?.GetValue<string>() ?? "CartPole-v1";
        var envConfig = (saved["env_config"] as JsonObject)?.ToDictionary(p => p.Key, p => TrialStream.ConfigValue(System.Text.Json.JsonSerializer.SerializeToElement(p.Value)), StringComparer.Ordinal);
        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!)!;
        return Start(runDirectory, config, files, 1 + runners, env, envConfig, cancellationToken);
    }

    private static ClusterOptions Options => ClusterRunnerGroupProvider.Options ?? ClusterOptions.FromEnvironment();

    private static Action<string> Log => ClusterRunnerGroupProvider.Log;

    private static IEnumerable<NodeReport> Workers(ClusterStatus status) => status.Nodes.Where(n => n.Alive && n.Report.Role == "worker").Select(n => n.Report);

    private Remote Start(string runDirectory, IReadOnlyDictionary<string, object?> config, Dictionary<string, byte[]>? checkpoint, int slots, string envId, IReadOnlyDictionary<string, object?>? envConfig, CancellationToken cancellationToken)
    {
        ClusterInfo cluster = ClusterAddress.Resolve(Address, Token);
        ClusterOptions options = Options;
        string name = $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(runDirectory)))}/{Path.GetFileName(runDirectory)}";
        string run = $"{new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')])}-{Guid.NewGuid().ToString("N")[..8]}";
        string? package = CodePackages.ForEnvironment(envId, envConfig);
        byte[] key = RandomNumberGenerator.GetBytes(FragmentStream.KeySize);
        var listener = new TcpListener(FragmentStream.AddressToward(cluster.Address), 0);
        listener.Start(4);
        var local = (IPEndPoint)listener.LocalEndpoint;
        var spec = new TrialSpec
        {
            Run = run,
            RunName = name,
            Algorithm = Algorithm,
            Slots = slots,
            Package = package,
            Endpoint = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local.Address}]:{local.Port}" : $"{local.Address}:{local.Port}",
            Key = Convert.ToBase64String(key),
        };
        RunLease? lease = null;
        NetworkStream? stream = null;
        try
        {
            lease = RunLease.OpenAsync(cluster, options, Log, run, [spec.Serialize()], slots, () => [], package).GetAwaiter().GetResult();
            int largest = Workers(HeadNode.QueryStatusAsync(lease.Connection).GetAwaiter().GetResult()).Select(w => w.NumCpus).DefaultIfEmpty(int.MaxValue).Max();
            if (largest < slots)
            {
                throw new ArgumentException($"a trial takes {slots} CPUs (its learner and num_env_runners {slots - 1}), but the largest worker of the cluster at {cluster.Address} offers {largest}: start workers with --num-cpus {slots} or more, or lower num_env_runners.");
            }

            stream = Accept(listener, key, name, slots, options, cancellationToken);
            TrialStream.WriteFrame(stream, TrialStream.Start, TrialStream.StartPayload(config, checkpoint));
            (string node, Dictionary<string, byte[]> files) = TrialStream.ReadReady(Remote.Answer(stream, TrialStream.Ready, name, "a worker"));
            foreach ((string file, byte[] content) in files)
            {
                string path = Path.Combine(runDirectory, Path.GetFileName(file));
                File.WriteAllBytes(path + ".tmp", content);
                File.Move(path + ".tmp", path, overwrite: true);
            }

            Log($"{name} trains on node {node} ({slots} CPUs{(checkpoint is null ? string.Empty : ", from its checkpoint")})");
            return new Remote(lease, stream, name, node);
        }
        catch
        {
            stream?.Dispose();
            lease?.Dispose();
            throw;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Waits for the worker the head places the trial on to connect (with the trial's key), saying every 30 s that it waits.</summary>
    private static NetworkStream Accept(TcpListener listener, byte[] key, string name, int slots, ClusterOptions options, CancellationToken cancellationToken)
    {
        DateTime since = DateTime.UtcNow;
        while (true)
        {
            Socket socket;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    socket = listener.AcceptSocketAsync(wait.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Log($"{name} waits for a worker with {slots} free CPUs ({(DateTime.UtcNow - since).TotalSeconds:0} s so far; `rlx status` shows the workers)");
                    continue;
                }
            }

            socket.NoDelay = true;
            var stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                socket.ReceiveTimeout = 10_000;
                string? refusal = TrialStream.CheckHello(stream, key);
                FragmentStream.WriteReply(stream, refusal);
                if (refusal is null)
                {
                    // A worker sends a frame at least every second while it works; silence this long means it is gone.
                    socket.ReceiveTimeout = (int)Math.Max(5_000, options.HeartbeatTimeout.TotalMilliseconds);
                    return stream;
                }

                Log($"{name}: refused a connection from {socket.RemoteEndPoint}: {refusal}");
            }
            catch (Exception e) when (TrialStream.IsLost(e) || e is EndOfStreamException)
            {
            }

            stream.Dispose();
        }
    }

    /// <summary>A trial training on a worker, driven over its stream.</summary>
    private sealed class Remote(RunLease lease, NetworkStream stream, string name, string node) : ITrainable
    {
        private bool _disposed;

        public IReadOnlyList<KeyValuePair<string, double>> Train() => TrialStream.ReadRow(Call(TrialStream.Train, TrialStream.Row));

        public void Save(string checkpointDirectory) => CheckpointDirectory.Write(checkpointDirectory, TrialStream.ReadFiles(Call(TrialStream.Save, TrialStream.Checkpoint)));

        private byte[] Call(byte request, byte expected) => Answer(stream, expected, name, $"node {node}", request);

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                TrialStream.WriteFrame(stream, TrialStream.Close, []);
            }
            catch (Exception e) when (TrialStream.IsLost(e))
            {
            }

            stream.Dispose();
            lease.Dispose();
        }

        /// <summary>Reads the answer of type <paramref name="expected"/>, passing over the worker's busy frames; a trial's failure there or a lost worker throws.</summary>
        public static byte[] Answer(NetworkStream stream, byte expected, string name, string where, byte? request = null)
        {
            try
            {
                if (request is { } type0)
                {
                    TrialStream.WriteFrame(stream, type0, []);
                }

                while (true)
                {
                    (byte type, byte[] payload) = TrialStream.ReadFrame(stream);
                    if (type == expected)
                    {
                        return payload;
                    }

                    if (type == TrialStream.Error)
                    {
                        throw new InvalidOperationException($"{name} failed on its worker: {System.Text.Encoding.UTF8.GetString(payload)}");
                    }

                    if (type != TrialStream.Busy)
                    {
                        throw new InvalidDataException($"{name}: {where} sent frame type {type}, expected {expected}");
                    }
                }
            }
            catch (Exception e) when (TrialStream.IsLost(e) || e is EndOfStreamException)
            {
                throw new IOException($"{name} lost {where} that trains it ({e.Message}); it restarts from its last checkpoint", e);
            }
        }
    }
}
