using System.Diagnostics;
using System.Globalization;
using ClusterPolicyGradient;
using Rlx.Cluster;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

// A hand-written vanilla policy gradient (REINFORCE with a learned baseline, GAE(λ) advantages) on CartPole-v1.
// Rlx only samples: a runner-group provider gives runners as threads of this process (no --address) or on the
// worker nodes of a cluster (--address auto, or HOST:PORT with RLX_TOKEN). Everything below the sampling call
// is this program's own learning code.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

const string EnvId = "CartPole-v1";
const float Gamma = 0.99f, Lambda = 0.95f, EntropyCoef = 0.01f, ValueCoef = 0.5f, MaxGradNorm = 0.5f;

// 1. The policy (actor and critic MLPs), its optimiser, and the runner group that samples with its weights.
ActorCriticPolicy policy;
using (Env probe = Envs.Make(EnvId))
{
    policy = new ActorCriticPolicy(probe.ObservationSpace.FlatSize, probe.ActionSpace, [64, 64]);
}

policy.InitializeOrthogonal(new Pcg64((ulong)options.Seed));
var optimizer = new Adam(policy.Parameters, epsilon: 1e-5);
IEnvRunnerGroup runners;
try
{
    IEnvRunnerGroupProvider provider = options.Address is null ? LocalEnvRunnerGroupProvider.Instance : new ClusterRunnerGroupProvider(options.Address);
    runners = provider.Create(new EnvRunnerGroupRequest(
        new EnvRunnerSettings(EnvId, options.EnvsPerRunner), policy, options.Runners, options.Seed, "policy-gradient-CartPole", options.Steps));
}
catch (Exception e) when (e is ClusterException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

using IEnvRunnerGroup group = runners;
Console.WriteLine($"{EnvId}: {options.Runners} runners x {options.EnvsPerRunner} envs x {options.Steps} steps per iteration, {(options.Address is null ? "threads of this process" : $"on the cluster at {options.Address}")}");

// 2. Storage for one iteration's batch, flattened over runners: row i = (runner, step, env).
int obsSize = policy.ObservationSize, envs = options.EnvsPerRunner, steps = options.Steps;
int n = options.Runners * steps * envs;
float[] weights = new float[policy.WeightCount];
float[] obs = new float[n * obsSize], actions = new float[n], advantages = new float[n], returns = new float[n];
float[] logProbs = new float[n], entropies = new float[n], values = new float[n];
float[] gradLogProb = new float[n], gradEntropy = new float[n], gradValues = new float[n];
var recent = new Queue<double>();
var clock = Stopwatch.StartNew();
long envSteps = 0;

for (int iteration = 1; iteration <= options.Iterations; iteration++)
{
    // 3. Sample: every runner steps its environments with the current weights.
    policy.CopyWeightsTo(weights);
    IReadOnlyList<SampleBatch> fragments = group.Sample(weights, steps);

    // 4. Advantages by GAE(λ) from the critic's values, per runner and env; returns = advantages + values.
    double iterationReturn = 0;
    int iterationEpisodes = 0;
    for (int r = 0; r < fragments.Count; r++)
    {
        SampleBatch b = fragments[r];
        int offset = r * steps * envs;
        for (int e = 0; e < envs; e++)
        {
            float gae = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = (t * envs) + e;
                // Dones[t + 1] = 1: observation t + 1 starts a new episode, so step t ended one.
                float nextNonTerminal = 1f - (t == steps - 1 ? b.NextDones[e] : b.Dones[i + envs]);
                float nextValue = t == steps - 1 ? b.NextValues[e] : b.Values[i + envs];
                float delta = b.Rewards[i] + (Gamma * nextValue * nextNonTerminal) - b.Values[i];
                gae = delta + (Gamma * Lambda * nextNonTerminal * gae);
                advantages[offset + i] = gae;
                returns[offset + i] = gae + b.Values[i];
            }
        }

        b.Observations.CopyTo(obs, offset * obsSize);
        b.Actions.CopyTo(actions, offset);
        foreach (var episode in b.Episodes)
        {
            iterationReturn += episode.Return;
            iterationEpisodes++;
            recent.Enqueue(episode.Return);
            if (recent.Count > 100)
            {
                recent.Dequeue();
            }
        }
    }

    envSteps += n;
    Normalize(advantages);

    // 5. One gradient step on the whole batch: loss = −mean(A·log π(a|s)) − c_H·mean(H) + c_V·½·mean((V − R)²).
    policy.ZeroGrad();
    policy.Evaluate(obs, n, actions, logProbs, entropies, values);
    double valueLoss = 0;
    for (int i = 0; i < n; i++)
    {
        float error = values[i] - returns[i];
        valueLoss += 0.5 * error * error / n;
        gradLogProb[i] = -advantages[i] / n;
        gradEntropy[i] = -EntropyCoef / n;
        gradValues[i] = ValueCoef * error / n;
    }

    policy.Backward(actions, gradLogProb, gradEntropy, gradValues);
    Gradients.ClipGlobalNorm(policy.Parameters, MaxGradNorm);
    optimizer.Step(options.LearningRate);

    double mean100 = recent.Count > 0 ? recent.Average() : double.NaN;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"iter {iteration,4}  steps {envSteps,8}  episodes {iterationEpisodes,4}  return {(iterationEpisodes > 0 ? iterationReturn / iterationEpisodes : double.NaN),7:0.0}  mean(100) {mean100,7:0.0}  value loss {valueLoss,8:0.000}  {clock.Elapsed.TotalSeconds,6:0.0} s"));
    if (recent.Count >= 20 && mean100 >= options.Target)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"solved: mean return {mean100:0.0} over the last {recent.Count} episodes >= {options.Target} after {envSteps} steps, {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }
}

Console.WriteLine($"not solved within {options.Iterations} iterations");
return 1;

// Advantage normalisation: (A − mean) / (std + 1e-8).
static void Normalize(float[] a)
{
    double mean = a.Average(x => (double)x);
    double std = Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, a.Length - 1));
    for (int i = 0; i < a.Length; i++)
    {
        a[i] = (float)((a[i] - mean) / (std + 1e-8));
    }
}
