using System.Globalization;
using CustomEnv;
using Rlx.Environments;
using Rlx.Environments.Vector;

// Register every [EnvId] class of this assembly, GridWalk-v0 and the multi-agent GridMeet-v0 (the CLI does the same with --env-assembly).
Envs.RegisterAssembly(typeof(GridWalk).Assembly);

// 1. Check the environment against the contract before training on it.
IReadOnlyList<EnvProblem> problems = EnvChecker.Check(() => Envs.Make("GridWalk-v0"));
Console.WriteLine(problems.Count == 0 ? "GridWalk-v0 passes every check" : string.Join(Environment.NewLine, problems));

// 2. Step 8 copies at once; finished episodes reset on the next step (Gymnasium 1.x semantics).
using VectorEnv envs = Envs.MakeVector("GridWalk-v0", numEnvs: 8, kwargs: new Dictionary<string, object?> { ["size"] = 4 });
var sampler = new ActionSampler(envs.SingleActionSpace, seed: 1);
var actions = new float[envs.NumEnvs];
envs.Reset(seed: 42);
int finished = 0;
for (int step = 0; step < 1000; step++)
{
    sampler.Fill(actions);
    envs.Step(actions);
    for (int i = 0; i < envs.NumEnvs; i++)
    {
        finished += envs.Terminations[i] ? 1 : 0;
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random walkers reached the goal {finished} times in 8000 steps"));
return problems.Count == 0 ? 0 : 1;
