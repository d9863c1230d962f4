namespace Rlx.Inference.Tests;

/// <summary>OnnxPolicy on the reference policies: metadata, greedy actions and outputs, recurrent state, batches, allocation.</summary>
public sealed class OnnxPolicyTests
{
    public static TheoryData<string> Policies() => [.. GoldenCase.Names("policy_")];

    [Fact]
    public void Load_ReadsSizesKindAndHeads()
    {
        using OnnxPolicy discrete = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_discrete"));
        Assert.Equal((4, 1, 0, 0), (discrete.ObservationSize, discrete.ActionSize, discrete.StateSize, discrete.MaskSize));
        Assert.Equal((PolicyKind.ActorCritic, "ppo"), (discrete.Kind, discrete.Algorithm));
        ActionHead head = Assert.Single(discrete.ActionHeads);
        Assert.Equal((ActionHeadKind.Categorical, 3, 0, 0, 1), (head.Kind, head.Size, head.Head, head.Action, head.Start));
        Assert.Equal(["action", "logits", "value"], discrete.OutputNames);
        Assert.Equal("Discrete(3, start=1)", discrete.Metadata["rlx.action_space"]);

        using OnnxPolicy masked = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_masked"));
        Assert.Equal((5, true, false), (masked.MaskSize, masked.IsMasked, masked.IsRecurrent));
        using OnnxPolicy lstm = OnnxPolicy.Load(GoldenCase.ModelPath("policy_lstm"));
        Assert.Equal((8, true), (lstm.StateSize, lstm.IsRecurrent));
        using OnnxPolicy sac = OnnxPolicy.Load(GoldenCase.ModelPath("policy_sac"));
        Assert.Equal(PolicyKind.SquashedGaussian, sac.Kind);
        Assert.Equal([2f, 0.5f], sac.ActionHeads[0].Scale);
        using OnnxPolicy mixed = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mixed_dict"));
        Assert.Equal([ActionHeadKind.Categorical, ActionHeadKind.Gaussian], mixed.ActionHeads.Select(h => h.Kind));
        Assert.Equal((3, 1, 0), (mixed.ActionHeads[1].Head, mixed.ActionHeads[1].Action, mixed.ActionHeads[1].Std));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Act_Batched_MatchesReferenceActionsAndOutputs(string name)
    {
        GoldenCase golden = GoldenCase.Load(name);
        using OnnxPolicy policy = OnnxPolicy.Load(golden.Model);
        foreach (GoldenCase.Run run in golden.Runs)
        {
            int batch = run.Inputs[0].Shape[0];
            float[] actions = new float[batch * policy.ActionSize];
            float[]? states = Input(run, "state_in")?.ToArray();
            policy.Act(batch, Input(run, "obs"), actions, Input(run, "action_mask"), states);
            foreach (GoldenCase.Value output in run.Outputs)
            {
                Compare.Floats(output.Floats, output.Name == "action" ? actions : policy.Output(output.Name), $"{name} batch {batch} '{output.Name}'");
            }

            if (states is not null)
            {
                Compare.Floats(run.Outputs.Single(o => o.Name == "state_out").Floats, states, $"{name}: the state after Act");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Act_OneRowAtATime_EqualsTheBatch(string name)
    {
        GoldenCase golden = GoldenCase.Load(name);
        using OnnxPolicy policy = OnnxPolicy.Load(golden.Model);
        GoldenCase.Run run = golden.Runs.OrderByDescending(r => r.Inputs[0].Shape[0]).First();
        int batch = run.Inputs[0].Shape[0];
        float[] expected = run.Outputs.Single(o => o.Name == "action").Floats;
        float[] action = new float[policy.ActionSize];
        for (int row = 0; row < batch; row++)
        {
            float[]? state = Row(Input(run, "state_in"), row, policy.StateSize)?.ToArray();
            policy.Act(Row(Input(run, "obs"), row, policy.ObservationSize), action, Row(Input(run, "action_mask"), row, policy.MaskSize), state);
            Compare.Floats(expected.AsSpan(row * policy.ActionSize, policy.ActionSize), action, $"{name} row {row}");
        }
    }

    [Fact]
    public void Act_Lstm_ChainsItsStateFromStepToStep()
    {
        GoldenCase golden = GoldenCase.Load("policy_lstm");
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_lstm"));
        float[] state = new float[2 * policy.StateSize]; // two episodes, both starting from zeros
        float[] actions = new float[2];
        for (int step = 0; step < golden.Runs.Count; step++)
        {
            GoldenCase.Run run = golden.Runs[step];
            Compare.Floats(Input(run, "state_in"), state, $"state before step {step}");
            policy.Act(2, Input(run, "obs"), actions, states: state);
            Compare.Floats(run.Outputs.Single(o => o.Name == "action").Floats, actions, $"actions of step {step}");
        }

        Assert.Contains(state, v => v != 0f);
    }

    [Fact]
    public void Load_StreamBytesAndPath_AgreeAndRead()
    {
        string path = GoldenCase.ModelPath("policy_cnn");
        using var fromPath = OnnxPolicy.Load(path);
        using var fromBytes = OnnxPolicy.Load(File.ReadAllBytes(path));
        using var stream = File.OpenRead(path);
        using var fromStream = OnnxPolicy.Load(stream);
        float[] obs = Enumerable.Range(0, 72).Select(i => (float)(i % 4)).ToArray();
        float[] a = new float[1], b = new float[1], c = new float[1];
        fromPath.Act(obs, a);
        fromBytes.Act(obs, b);
        fromStream.Act(obs, c);
        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public void TestPolicy_UnpackedWeights_ActGreedily()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(TestPolicies.Q());
        float[] action = new float[1];
        policy.Act([1f, 2f], action); // q = [1, 2, 3]
        Assert.Equal(2f, action[0]);
        policy.Act([3f, 1f], action); // q = [3, 1, -1]
        Assert.Equal(0f, action[0]);
        Assert.Equal([3f, 1f, -1f], policy.Output("q_values").ToArray());
    }

    [Theory]
    [InlineData("policy_cnn")]
    [InlineData("policy_lstm")]
    [InlineData("policy_mlp_masked")]
    [InlineData("policy_mixed_dict")]
    [InlineData("policy_sac")]
    public void ActAndSample_AfterWarmUp_AllocateNothing(string name)
    {
        GoldenCase golden = GoldenCase.Load(name);
        using OnnxPolicy policy = OnnxPolicy.Load(golden.Model);
        GoldenCase.Run big = golden.Runs.OrderByDescending(r => r.Inputs[0].Shape[0]).First();
        int batch = big.Inputs[0].Shape[0];
        float[] obs = Input(big, "obs")!, actions = new float[batch * policy.ActionSize];
        float[]? masks = Input(big, "action_mask");
        float[] states = new float[batch * policy.StateSize], state = new float[policy.StateSize];
        var random = new System.Random(3);

        void Step()
        {
            policy.Act(batch, obs, actions, masks, policy.IsRecurrent ? states : default);
            policy.Act(obs.AsSpan(0, policy.ObservationSize), actions.AsSpan(0, policy.ActionSize), masks.AsSpan(0, policy.MaskSize), policy.IsRecurrent ? state : default);
            policy.Sample(batch, obs, actions, random, masks, policy.IsRecurrent ? states : default);
            Array.Clear(states);
            Array.Clear(state);
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static float[]? Input(GoldenCase.Run run, string name) => run.Inputs.SingleOrDefault(i => i.Name == name)?.Floats;

    private static float[]? Row(float[]? values, int row, int width) => values?.AsSpan(row * width, width).ToArray();
}
