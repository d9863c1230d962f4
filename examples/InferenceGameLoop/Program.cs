using System.Globalization;
using InferenceGameLoop;
using Rlx.Inference;

// Runs an exported policy (`rlx export CHECKPOINT --format onnx`) in a game loop: greedy for the first episode,
// sampled after that, with the action mask and recurrent state the policy may need.
//   dotnet run --project examples/InferenceGameLoop -- policy.onnx
// Without an argument it runs the recurrent reference policy in tests/golden/onnx.
string path = args.Length > 0 ? args[0] : Path.Combine(RepositoryRoot(), "tests", "golden", "onnx", "policy_lstm.onnx");
using OnnxPolicy policy = OnnxPolicy.Load(path);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{Path.GetFileName(path)}: {policy.Algorithm} {policy.Kind} policy, {policy.ObservationSize} observation floats -> {policy.ActionSize} action floats" +
    $"{(policy.IsMasked ? $", mask of {policy.MaskSize}" : "")}{(policy.IsRecurrent ? $", recurrent state of {policy.StateSize}" : "")}"));

// Buffers are made once; acting allocates nothing.
float[] observation = new float[policy.ObservationSize];
float[] action = new float[policy.ActionSize];
float[] mask = new float[policy.MaskSize];
float[] state = new float[policy.StateSize];
var random = new Random(7); // seeded: the sampled episodes are the same on every run
var game = new ToyGame(seed: 1);

for (int episode = 0; episode < 3; episode++)
{
    bool greedy = episode == 0;
    game.Reset(observation);
    Array.Clear(state); // a recurrent policy starts every episode from zeros
    var actions = new List<string>();
    for (bool done = false; !done;)
    {
        if (policy.IsMasked)
        {
            FillMask(policy, mask, forbidFirst: actions.Count % 2 == 1);
        }

        if (greedy)
        {
            policy.Act(observation, action, mask, state);
        }
        else
        {
            // Q policies (DQN) sample ε-greedily; the others from their action distribution.
            policy.Sample(observation, action, random, mask, state, epsilon: policy.Kind == PolicyKind.Q ? 0.1 : 0);
        }

        actions.Add(string.Join("/", action.Select(a => a.ToString("0.##", CultureInfo.InvariantCulture))));
        done = game.Step(action, observation);
    }

    Console.WriteLine($"episode {episode} ({(greedy ? "greedy" : "sampled")}): {string.Join(" ", actions)}");
}

// The value estimate of actor-critic policies exported with their critic: Run, then read the output.
if (policy.OutputNames.Contains("value"))
{
    policy.Run(1, observation, mask, state);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"value of the last observation: {policy.Output("value")[0]:0.###}"));
}

return 0;

// Allows every option, except option 0 of each choice when asked: a game would forbid what its rules forbid now.
static void FillMask(OnnxPolicy policy, float[] mask, bool forbidFirst)
{
    Array.Fill(mask, 1f);
    int at = 0;
    foreach (ActionHead part in policy.ActionHeads)
    {
        if (part.Kind is ActionHeadKind.Categorical or ActionHeadKind.Q)
        {
            mask[at] = forbidFirst && part.Size > 1 ? 0f : 1f;
            at += part.Size;
        }
    }
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("Pass the path of an exported policy: dotnet run --project examples/InferenceGameLoop -- policy.onnx");
}
