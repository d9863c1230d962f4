using Rlx.Server.Cluster;

namespace Rlx.Server.Hosting;

/// <summary>Totals over a <see cref="ClusterSnapshot"/>: what the overview page and <c>/metrics</c> show.</summary>
internal sealed record ClusterSummary(
    int NodesAlive,
    int NodesDead,
    double CpusTotal,
    double CpusUsed,
    long MemoryTotalBytes,
    long MemoryUsedBytes,
    int RunnersIdle,
    int RunnersRunning,
    int RunnersDead,
    double EnvStepsPerSecond)
{
    public static ClusterSummary Of(ClusterSnapshot snapshot)
    {
        int alive = 0, dead = 0, idle = 0, running = 0, deadRunners = 0;
        double cpus = 0, cpusUsed = 0;
        long memory = 0, memoryUsed = 0;
        foreach (NodeInfo node in snapshot.Nodes)
        {
            if (!node.Alive)
            {
                dead++;
                continue;
            }

            alive++;
            cpus += node.CpusTotal;
            cpusUsed += node.CpusUsed;
            memory += node.MemoryTotalBytes;
            memoryUsed += node.MemoryUsedBytes;
        }

        foreach (RunnerInfo runner in snapshot.Runners)
        {
            switch (runner.State)
            {
                case RunnerState.Idle: idle++; break;
                case RunnerState.Running: running++; break;
                default: deadRunners++; break;
            }
        }

        return new ClusterSummary(alive, dead, cpus, cpusUsed, memory, memoryUsed, idle, running, deadRunners, snapshot.EnvStepsPerSecond);
    }
}
