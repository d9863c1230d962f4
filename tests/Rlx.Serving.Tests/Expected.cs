using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Serving.Tests;

/// <summary>What a served policy should answer, computed without the service: the checkpoint's own policy snapshot.</summary>
internal static class Expected
{
    /// <summary>Greedy/mean actions: observations through the snapshot's filter, then <see cref="RolloutPolicy.Act"/> with deterministic: true, Box actions clipped to the box.</summary>
    public static float[][] Actions(string checkpoint, float[][] observations)
    {
        using Algorithm algorithm = Algorithm.Restore(checkpoint);
        PolicySnapshot snapshot = algorithm.SnapshotPolicy();
        int obs = snapshot.ObservationSpace.FlatSize, act = snapshot.ActionSpace.FlatSize, n = observations.Length;
        var input = new float[n * obs];
        for (int i = 0; i < n; i++)
        {
            Span<float> row = input.AsSpan(i * obs, obs);
            observations[i].CopyTo(row);
            snapshot.ObservationFilter?.Apply(row, row);
        }

        var actions = new float[n * act];
        snapshot.Policy.Act(input, n, actions, new float[n], new float[n], new Pcg64(0), deterministic: true);
        if (snapshot.ActionSpace is Box box)
        {
            for (int i = 0; i < actions.Length; i++)
            {
                actions[i] = Math.Clamp(actions[i], box.Low[i % act], box.High[i % act]);
            }
        }

        return [.. Enumerable.Range(0, n).Select(i => actions.AsSpan(i * act, act).ToArray())];
    }

    /// <summary>Observations an environment produces under random actions, plus a few far outside its usual range.</summary>
    public static float[][] Observations(string envId, int count, int seed)
    {
        using Env env = Envs.Make(envId);
        var random = new System.Random(seed);
        var action = new float[env.ActionSpace.FlatSize];
        var observation = new float[env.ObservationSpace.FlatSize];
        var rows = new List<float[]>();
        env.Reset(observation, seed: seed);
        env.ActionSpace.Seed(seed);
        while (rows.Count < count - 4)
        {
            rows.Add((float[])observation.Clone());
            env.ActionSpace.Sample(action);
            if (env.Step(action, observation).Done)
            {
                env.Reset(observation);
            }
        }

        for (int i = 0; i < 4; i++)
        {
            rows.Add([.. observation.Select(_ => (float)((random.NextDouble() * 6) - 3))]);
        }

        return [.. rows];
    }
}
