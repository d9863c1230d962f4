using Rlx.Cluster;
using Rlx.Server.Cluster;
using Rlx.Server.Hosting;
using Rlx.Server.Metrics;

namespace Rlx.Cli.Commands;

/// <summary>
/// The head's web services (jobs API, dashboard, /metrics) fed from the cluster registry: every second the
/// head's view of nodes and runners is copied into the dashboard's cluster view, with the cluster's throughput.
/// </summary>
internal sealed class HeadDashboard : IAsyncDisposable
{
    private readonly HeadNode _head;
    private readonly HeadServicesHost _services;
    private readonly InMemoryClusterView _view;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _feed;
    private long _lastSteps = -1;
    private DateTime _lastTime;

    private HeadDashboard(HeadNode head, HeadServicesHost services, InMemoryClusterView view)
    {
        (_head, _services, _view) = (head, services, view);
        _feed = Task.Run(FeedAsync);
    }

    public Uri Url => _services.Url;

    /// <summary>Starts the services on <paramref name="host"/>:<paramref name="port"/>; bound beyond loopback, every request needs the cluster token.</summary>
    public static async Task<HeadDashboard> StartAsync(HeadNode head, SessionDirectory session, ClusterInfo cluster, string host, int port)
    {
        bool loopback = System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip);
        var view = new InMemoryClusterView();
        HeadServicesHost services;
        try
        {
            services = await HeadServices.StartAsync(
            new HeadServicesOptions
            {
                JobsDirectory = Path.Combine(session.Path, "jobs"),
                DashboardPort = port,
                BindAddress = host,
                AccessToken = loopback ? null : cluster.Token,
                HeadNodeId = $"head-{Environment.ProcessId}",
                SessionName = Path.GetFileName(session.Path),
                JobEnvironment = new Dictionary<string, string> { ["RLX_ADDRESS"] = cluster.Address, ["RLX_TOKEN"] = cluster.Token },
            },
            view,
            new TrainingMetricsStore(),
            CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ClusterException(e.Message, e);
        }

        return new HeadDashboard(head, services, view);
    }

    /// <summary>Asks the jobs running on the head to stop (SIGTERM now), without waiting.</summary>
    public void StopJobs() => _services.StopJobs();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _feed.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _services.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task FeedAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Copy(_head.Status(), _view);

            await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
        }
    }

    private void Copy(ClusterStatus status, InMemoryClusterView view)
    {
        var runnerIds = new HashSet<string>(StringComparer.Ordinal);
        long steps = 0;
        foreach (NodeStatus node in status.Nodes)
        {
            NodeReport r = node.Report;
            var processes = new List<ProcessInfo> { new(r.Pid, r.Role == "head" ? "rlx head" : "rlx worker", r.CpuPercent, r.MemoryUsed) };
            view.RegisterNode(new NodeInfo(r.NodeId, r.Role == "head" ? NodeRole.Head : NodeRole.Worker, r.Host, r.Pid, r.NumCpus, node.Alive ? r.CpusUsed : 0,
                r.MemoryTotal, node.Alive ? r.MemoryUsed : 0, node.Alive ? processes : [], node.LastHeartbeat, node.Alive));
            foreach (RunnerReport runner in r.Runners)
            {
                string id = $"{runner.Run}/{runner.Runner}";
                runnerIds.Add(id);
                steps += runner.Steps;
                RunnerState state = runner.State switch { "running" => RunnerState.Running, "idle" => RunnerState.Idle, _ => RunnerState.Dead };
                view.RegisterRunner(new RunnerInfo(id, r.NodeId, state, 1, 0, runner.Restarts, runner.LastError, runner.RunName));
            }
        }

        foreach (RunnerInfo old in view.Snapshot().Runners.Where(x => !runnerIds.Contains(x.Id)))
        {
            view.RemoveRunner(old.Id);
        }

        DateTime now = DateTime.UtcNow;
        if (_lastSteps >= 0 && steps >= _lastSteps)
        {
            view.SetThroughput((steps - _lastSteps) / Math.Max(1e-3, (now - _lastTime).TotalSeconds));
        }

        (_lastSteps, _lastTime) = (steps, now);
    }
}
