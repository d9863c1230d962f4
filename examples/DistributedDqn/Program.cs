using System.Globalization;
using System.Net;
using DistributedDqn;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Rlx.Environments;

// DQN on CartPole written as actors on Microsoft Orleans: environment actors on every machine of the cluster, a replay
// buffer, and a learner that takes whichever actor's batch comes back first (Task.WhenAny, Ray's ray.wait) and hands
// that actor the newest weights at once. See README.md.
string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Int(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string host = Option("--host", "127.0.0.1");
int port = Int("--port", 11111);
string primary = Option("--primary", $"{host}:{port}");
int colon = primary.LastIndexOf(':');
if (!IPAddress.TryParse(host, out IPAddress? address) || colon <= 0 || !IPAddress.TryParse(primary[..colon], out IPAddress? primaryAddress)
    || !int.TryParse(primary[(colon + 1)..], CultureInfo.InvariantCulture, out int primaryPort))
{
    Console.Error.WriteLine($"--host must be an IP address (got {host}) and --primary IP:PORT, the first silo's (got {primary}).");
    return 2;
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
builder.UseOrleans(silo =>
{
    // Every process is a silo; the first one started is the primary the others find each other through.
    silo.UseDevelopmentClustering(new IPEndPoint(primaryAddress, primaryPort));
    silo.ConfigureEndpoints(address, port, port + 1);
    silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("rlx-dqn", "rlx-dqn"));
    silo.Services.AddPlacementDirector<SpreadPlacement, SpreadPlacementDirector>();
});
using IHost app = builder.Build();
await app.StartAsync();
Console.WriteLine($"silo ready at {host}:{port}");
if (args.Contains("--worker"))
{
    await app.WaitForShutdownAsync();
    return 0;
}

int actorCount = Int("--actors", 8), stepsPerCall = Int("--steps", 50), silos = Int("--silos", 1);
int maxSteps = Int("--max-steps", 100_000), learningStarts = Int("--learning-starts", 1_000), trainEvery = Int("--train-every", 2), batchSize = 64;
double target = double.Parse(Option("--target", "195"), CultureInfo.InvariantCulture), exploreSteps = 0.3 * maxSteps;
var grains = app.Services.GetRequiredService<IGrainFactory>();

// Wait until the expected silos have joined and this silo's placement knows their grain types (its cluster manifest,
// which follows membership a little later), so the actors spread over them.
var management = grains.GetGrain<IManagementGrain>(0);
var manifest = app.Services.GetRequiredService<IClusterManifestProvider>();
for (int waited = 0; (await management.GetHosts(onlyActive: true)).Count < silos || manifest.Current.Silos.Count < silos; waited++)
{
    if (waited == 600)
    {
        Console.Error.WriteLine($"only {(await management.GetHosts(onlyActive: true)).Count} of {silos} silos joined within 60 s; start them with --worker --primary {primary}.");
        return 2;
    }

    await Task.Delay(100);
}

using (Env probe = Envs.Make(EnvActor.EnvId))
{
    var learner = new Learner(probe.ObservationSpace.FlatSize, Learner.Actions(probe));
    IReplayBuffer buffer = grains.GetGrain<IReplayBuffer>(0);
    IEnvActor[] actors = [.. Enumerable.Range(0, actorCount).Select(i => grains.GetGrain<IEnvActor>(i))];
    double Epsilon(long steps) => Math.Max(0.05, 1 - (0.95 * steps / exploreSteps));

    // One sampling call in flight per actor.
    float[] weights = learner.Weights();
    Task<Transitions>[] pending = [.. actors.Select(a => a.Sample(weights, 1.0, stepsPerCall))];
    var recent = new Queue<double>();
    var sampledOn = new Dictionary<string, long>(StringComparer.Ordinal);
    long steps = 0, nextReport = 5_000;
    double mean = double.NaN;
    while (steps < maxSteps)
    {
        // ray.wait(num_returns=1): the first batch back, whichever actor and machine it comes from.
        Task<Transitions> done = await Task.WhenAny(pending);
        int k = Array.IndexOf(pending, done);
        Transitions batch = await done;
        pending[k] = actors[k].Sample(weights, Epsilon(steps), stepsPerCall);
        steps += batch.Count;
        sampledOn[batch.Silo] = sampledOn.GetValueOrDefault(batch.Silo) + batch.Count;
        foreach (double r in batch.EpisodeReturns)
        {
            recent.Enqueue(r);
            if (recent.Count > 20)
            {
                recent.Dequeue();
            }
        }

        await buffer.Add(batch);
        if (steps >= learningStarts)
        {
            for (int u = 0; u < batch.Count / trainEvery; u++)
            {
                learner.Update(await buffer.Draw(batchSize));
            }

            weights = learner.Weights();
        }

        mean = recent.Count > 0 ? recent.Average() : double.NaN;
        if (steps >= nextReport)
        {
            nextReport += 5_000;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steps {steps,7} | updates {learner.Updates,6} | epsilon {Epsilon(steps):F2} | return (last 20 episodes) {mean,6:F1} | steps by silo: {string.Join(", ", sampledOn.Select(s => $"{s.Key} {s.Value}"))}"));
        }

        if (recent.Count == 20 && mean >= target)
        {
            break;
        }
    }

    await Task.WhenAll(pending);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(mean >= target ? "solved" : "not solved")}: mean return {mean:F1} (target {target}) after {steps} steps; silos that sampled: {sampledOn.Count}"));
    await app.StopAsync();
    return mean >= target ? 0 : 1;
}
