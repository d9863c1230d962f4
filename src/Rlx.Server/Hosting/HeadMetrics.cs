using Prometheus;
using Rlx.Server.Cluster;
using Rlx.Server.Jobs;
using Rlx.Server.Metrics;

namespace Rlx.Server.Hosting;

/// <summary>
/// The head's Prometheus metrics: cluster gauges, job counts and each run's latest training metrics, in a
/// registry of their own (so several heads in one process never share series), refreshed from the cluster
/// view, the job table and the metrics store just before every collection.
/// </summary>
internal sealed class HeadMetrics
{
    /// <summary>The content type of <see cref="WriteAsync"/>'s output (Prometheus text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Lock _refresh = new();
    private readonly Func<ClusterSnapshot> _cluster;
    private readonly Func<IReadOnlyList<JobDetails>> _jobs;
    private readonly TrainingMetricsStore _metrics;
    private readonly ScrapedGauge _nodes;
    private readonly Gauge _cpusTotal;
    private readonly Gauge _cpusUsed;
    private readonly Gauge _memoryTotal;
    private readonly Gauge _memoryUsed;
    private readonly Gauge _stepsPerSecond;
    private readonly ScrapedGauge _runners;
    private readonly ScrapedGauge _nodeUp;
    private readonly ScrapedGauge _nodeCpusUsed;
    private readonly ScrapedGauge _nodeMemoryUsed;
    private readonly ScrapedGauge _jobCounts;
    private readonly ScrapedGauge _trainingIteration;
    private readonly ScrapedGauge _trainingMetric;

    public HeadMetrics(Func<ClusterSnapshot> cluster, Func<IReadOnlyList<JobDetails>> jobs, TrainingMetricsStore metrics)
    {
        (_cluster, _jobs, _metrics) = (cluster, jobs, metrics);
        IMetricFactory factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _nodes = new ScrapedGauge(factory, "rlx_nodes", "Nodes known to the head, by state.", "state");
        _cpusTotal = factory.CreateGauge("rlx_cluster_cpus_total", "Logical CPUs of the alive nodes.");
        _cpusUsed = factory.CreateGauge("rlx_cluster_cpus_used", "CPUs in use on the alive nodes.");
        _memoryTotal = factory.CreateGauge("rlx_cluster_memory_total_bytes", "Memory of the alive nodes.");
        _memoryUsed = factory.CreateGauge("rlx_cluster_memory_used_bytes", "Memory in use on the alive nodes.");
        _stepsPerSecond = factory.CreateGauge("rlx_cluster_env_steps_per_second", "Environment steps per second over the cluster.");
        _runners = new ScrapedGauge(factory, "rlx_env_runners", "Env runners by state.", "state");
        _nodeUp = new ScrapedGauge(factory, "rlx_node_up", "1 if the node is alive, 0 if the head declared it dead.", "node", "role");
        _nodeCpusUsed = new ScrapedGauge(factory, "rlx_node_cpus_used", "CPUs in use per node.", "node");
        _nodeMemoryUsed = new ScrapedGauge(factory, "rlx_node_memory_used_bytes", "Memory in use per node.", "node");
        _jobCounts = new ScrapedGauge(factory, "rlx_jobs", "Submitted jobs by status.", "status");
        _trainingIteration = new ScrapedGauge(factory, "rlx_training_iteration", "Latest training iteration per run.", "run");
        _trainingMetric = new ScrapedGauge(factory, "rlx_training_metric", "Latest value of each training metric per run (metric = CleanRL's name, e.g. charts/episodic_return).", "run", "metric");
        _registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>Collects every metric and writes them to <paramref name="to"/> in Prometheus' text format.</summary>
    public Task WriteAsync(Stream to, CancellationToken cancel) => _registry.CollectAndExportAsTextAsync(to, ExpositionFormat.PrometheusText, cancel);

    // Rewrites every gauge from the current state; series of nodes, runs and metrics no longer there are removed.
    private void Refresh()
    {
        ClusterSnapshot snapshot = _cluster();
        IReadOnlyList<JobDetails> jobs = _jobs();
        IReadOnlyList<RunSummary> runs = _metrics.Runs();
        ClusterSummary summary = ClusterSummary.Of(snapshot);
        lock (_refresh)
        {
            Rewrite(_nodes, g =>
            {
                g.Set(summary.NodesAlive, "alive");
                g.Set(summary.NodesDead, "dead");
            });
            _cpusTotal.Set(summary.CpusTotal);
            _cpusUsed.Set(summary.CpusUsed);
            _memoryTotal.Set(summary.MemoryTotalBytes);
            _memoryUsed.Set(summary.MemoryUsedBytes);
            _stepsPerSecond.Set(summary.EnvStepsPerSecond);
            Rewrite(_runners, g =>
            {
                g.Set(summary.RunnersIdle, "idle");
                g.Set(summary.RunnersRunning, "running");
                g.Set(summary.RunnersDead, "dead");
            });
            Rewrite(_nodeUp, g =>
            {
                foreach (NodeInfo node in snapshot.Nodes)
                {
                    g.Set(node.Alive ? 1 : 0, node.Id, node.Role == NodeRole.Head ? "head" : "worker");
                }
            });
            Rewrite(_nodeCpusUsed, g =>
            {
                foreach (NodeInfo node in snapshot.Nodes)
                {
                    g.Set(node.CpusUsed, node.Id);
                }
            });
            Rewrite(_nodeMemoryUsed, g =>
            {
                foreach (NodeInfo node in snapshot.Nodes)
                {
                    g.Set(node.MemoryUsedBytes, node.Id);
                }
            });
            Rewrite(_jobCounts, g =>
            {
                foreach (JobStatus status in Enum.GetValues<JobStatus>())
                {
                    g.Set(jobs.Count(j => j.Status == status), status.ToWire());
                }
            });
            Rewrite(_trainingIteration, g =>
            {
                foreach (RunSummary run in runs)
                {
                    g.Set(run.Latest.Iteration, run.RunId);
                }
            });
            Rewrite(_trainingMetric, g =>
            {
                foreach (RunSummary run in runs)
                {
                    foreach ((string name, double value) in run.Latest.Values)
                    {
                        g.Set(value, run.RunId, name);
                    }
                }
            });
        }
    }

    private static void Rewrite(ScrapedGauge gauge, Action<ScrapedGauge> set)
    {
        gauge.Begin();
        set(gauge);
        gauge.End();
    }
}
