using System.Globalization;
using System.Text;
using Rlx.Server.Cluster;
using Rlx.Server.Jobs;
using Rlx.Server.Metrics;

namespace Rlx.Server.Hosting;

/// <summary>Writes cluster gauges, job counts and each run's latest training metrics in Prometheus' text format 0.0.4.</summary>
internal static class PrometheusText
{
    public static string Write(ClusterSnapshot snapshot, TrainingMetricsStore metrics, IReadOnlyList<JobDetails> jobs)
    {
        var text = new StringBuilder();
        ClusterSummary summary = ClusterSummary.Of(snapshot);
        Family(text, "rlx_nodes", "Nodes known to the head, by state.");
        Sample(text, "rlx_nodes", [("state", "alive")], summary.NodesAlive);
        Sample(text, "rlx_nodes", [("state", "dead")], summary.NodesDead);
        Gauge(text, "rlx_cluster_cpus_total", "Logical CPUs of the alive nodes.", summary.CpusTotal);
        Gauge(text, "rlx_cluster_cpus_used", "CPUs in use on the alive nodes.", summary.CpusUsed);
        Gauge(text, "rlx_cluster_memory_total_bytes", "Memory of the alive nodes.", summary.MemoryTotalBytes);
        Gauge(text, "rlx_cluster_memory_used_bytes", "Memory in use on the alive nodes.", summary.MemoryUsedBytes);
        Gauge(text, "rlx_cluster_env_steps_per_second", "Environment steps per second over the cluster.", summary.EnvStepsPerSecond);
        Family(text, "rlx_env_runners", "Env runners by state.");
        Sample(text, "rlx_env_runners", [("state", "idle")], summary.RunnersIdle);
        Sample(text, "rlx_env_runners", [("state", "running")], summary.RunnersRunning);
        Sample(text, "rlx_env_runners", [("state", "dead")], summary.RunnersDead);

        Family(text, "rlx_node_up", "1 if the node is alive, 0 if the head declared it dead.");
        foreach (NodeInfo node in snapshot.Nodes)
        {
            Sample(text, "rlx_node_up", [("node", node.Id), ("role", node.Role == NodeRole.Head ? "head" : "worker")], node.Alive ? 1 : 0);
        }

        Family(text, "rlx_node_cpus_used", "CPUs in use per node.");
        foreach (NodeInfo node in snapshot.Nodes)
        {
            Sample(text, "rlx_node_cpus_used", [("node", node.Id)], node.CpusUsed);
        }

        Family(text, "rlx_node_memory_used_bytes", "Memory in use per node.");
        foreach (NodeInfo node in snapshot.Nodes)
        {
            Sample(text, "rlx_node_memory_used_bytes", [("node", node.Id)], node.MemoryUsedBytes);
        }

        Family(text, "rlx_jobs", "Submitted jobs by status.");
        foreach (JobStatus status in Enum.GetValues<JobStatus>())
        {
            Sample(text, "rlx_jobs", [("status", status.ToWire())], jobs.Count(j => j.Status == status));
        }

        IReadOnlyList<RunSummary> runs = metrics.Runs();
        Family(text, "rlx_training_iteration", "Latest training iteration per run.");
        foreach (RunSummary run in runs)
        {
            Sample(text, "rlx_training_iteration", [("run", run.RunId)], run.Latest.Iteration);
        }

        Family(text, "rlx_training_metric", "Latest value of each training metric per run (metric = CleanRL's name, e.g. charts/episodic_return).");
        foreach (RunSummary run in runs)
        {
            foreach ((string name, double value) in run.Latest.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                Sample(text, "rlx_training_metric", [("run", run.RunId), ("metric", name)], value);
            }
        }

        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Family(text, name, help);
        Sample(text, name, [], value);
    }

    private static void Family(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n");

    private static void Sample(StringBuilder text, string name, (string Key, string Value)[] labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(labels[i].Key).Append("=\"")
                    .Append(labels[i].Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                    .Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }
}
