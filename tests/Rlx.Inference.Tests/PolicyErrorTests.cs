using System.Text;

namespace Rlx.Inference.Tests;

/// <summary>Bad input and bad files are refused with a message that names the problem and what was expected.</summary>
public sealed class PolicyErrorTests
{
    private static OnnxPolicy Load(string name) => OnnxPolicy.Load(GoldenCase.ModelPath(name));

    [Fact]
    public void Act_WrongObservationLength_SaysExpectedAndGot()
    {
        using OnnxPolicy policy = Load("policy_mlp_discrete");
        var e = Assert.Throws<ArgumentException>(() => policy.Act(new float[3], new float[1]));
        Assert.Contains("observations: expected 4 floats (ObservationSize), got 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => policy.Act(2, new float[7], new float[2]));
        Assert.Contains("expected batch × ObservationSize = 2 × 4 = 8 floats, got 7", e.Message);
    }

    [Fact]
    public void Act_WrongActionLength_SaysExpectedAndGot()
    {
        using OnnxPolicy policy = Load("policy_mixed_dict");
        var e = Assert.Throws<ArgumentException>(() => policy.Act(new float[4], new float[2]));
        Assert.Contains("actions: expected 3 floats (ActionSize), got 2", e.Message);
    }

    [Fact]
    public void Act_NaNOrInfiniteObservation_NamesTheIndex()
    {
        using OnnxPolicy policy = Load("policy_mlp_discrete");
        var e = Assert.Throws<ArgumentException>(() => policy.Act([0f, 1f, float.NaN, 0f], new float[1]));
        Assert.Contains("observation value 2 is NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => policy.Act(2, [0f, 1f, 2f, 3f, 0f, float.PositiveInfinity, 0f, 0f], new float[2]));
        Assert.Contains("observation value 1 of row 1 is Infinity", e.Message);
    }

    [Fact]
    public void Act_MaskedPolicy_RefusesMissingWrongOrEmptyMasks()
    {
        using OnnxPolicy policy = Load("policy_mlp_masked");
        float[] obs = new float[6], action = new float[2];
        Assert.Contains("needs an action mask: 5 floats per row", Assert.Throws<ArgumentException>(() => policy.Act(obs, action)).Message);
        Assert.Contains("mask: expected 5 floats (MaskSize), got 4", Assert.Throws<ArgumentException>(() => policy.Act(obs, action, new float[4])).Message);
        Assert.Contains("forbids every option of the 3-way choice at action 0", Assert.Throws<ArgumentException>(() => policy.Act(obs, action, [0, 0, 0, 1, 1])).Message);
        Assert.Contains("forbids every option of the 2-way choice at action 1", Assert.Throws<ArgumentException>(() => policy.Act(obs, action, [1, 0, 0, 0, 0])).Message);
        Assert.Contains("mask value 1 is 0.5; mask values are 1 (allowed) or 0 (forbidden)", Assert.Throws<ArgumentException>(() => policy.Act(obs, action, [1, 0.5f, 0, 1, 1])).Message);
    }

    [Fact]
    public void Act_UnmaskedPolicy_RefusesAMask()
    {
        using OnnxPolicy policy = Load("policy_mlp_discrete");
        var e = Assert.Throws<ArgumentException>(() => policy.Act(new float[4], new float[1], [1, 1, 1]));
        Assert.Contains("takes no action mask (MaskSize 0) but 3 mask floats were given", e.Message);
    }

    [Fact]
    public void Act_RecurrentPolicy_RefusesMissingOrWrongState()
    {
        using OnnxPolicy policy = Load("policy_lstm");
        float[] obs = new float[3], action = new float[1];
        Assert.Contains("this policy is recurrent: pass its state, 8 floats per row", Assert.Throws<ArgumentException>(() => policy.Act(obs, action)).Message);
        Assert.Contains("states: expected 8 floats (StateSize), got 4", Assert.Throws<ArgumentException>(() => policy.Act(obs, action, state: new float[4])).Message);
        using OnnxPolicy plain = Load("policy_mlp_discrete");
        Assert.Contains("not recurrent (StateSize 0) but 8 state floats were given", Assert.Throws<ArgumentException>(() => plain.Act(new float[4], action, state: new float[8])).Message);
    }

    [Fact]
    public void Sample_EpsilonOnANonQPolicy_IsRefused()
    {
        using OnnxPolicy policy = Load("policy_mlp_discrete");
        var e = Assert.Throws<ArgumentException>(() => policy.Sample(new float[4], new float[1], new System.Random(1), epsilon: 0.1));
        Assert.Contains("epsilon applies to Q policies", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Sample(new float[4], new float[1], new System.Random(1), epsilon: 1.5));
    }

    [Fact]
    public void Output_BeforeARunOrUnknown_SaysWhy()
    {
        using OnnxPolicy policy = Load("policy_mlp_discrete");
        Assert.Contains("call Run, Act or Sample first", Assert.Throws<InvalidOperationException>(() => policy.Output("value").ToArray()).Message);
        Assert.Contains("its outputs are action, logits, value", Assert.Throws<ArgumentException>(() => policy.Output("q_values").ToArray()).Message);
    }

    [Fact]
    public void Act_AfterDispose_Throws()
    {
        OnnxPolicy policy = Load("policy_mlp_discrete");
        policy.Dispose();
        Assert.Throws<ObjectDisposedException>(() => policy.Act(new float[4], new float[1]));
    }

    [Fact]
    public void Load_TextOrEmpty_IsNotOnnx()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(Encoding.UTF8.GetBytes("this is not a model\n")));
        Assert.Contains("the model bytes is not an ONNX model", e.Message);
        Assert.Contains("Expected an ONNX file written by `rlx export CHECKPOINT --format onnx`", e.Message);
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load([])).Message);
    }

    [Fact]
    public void Load_Safetensors_SaysSo()
    {
        byte[] header = Encoding.UTF8.GetBytes("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        byte[] file = [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 0, 0];
        var e = Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(file));
        Assert.Contains("is a safetensors file (a checkpoint's weights), not an ONNX model", e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_NamesTheByte()
    {
        byte[] bytes = File.ReadAllBytes(GoldenCase.ModelPath("policy_mlp_discrete"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(bytes.AsSpan(0, bytes.Length / 2).ToArray()));
        Assert.Contains("is not an ONNX model (malformed protobuf at byte", e.Message);
    }

    [Fact]
    public void Load_OnnxWithoutRlxMetadata_SaysWhatWasExpected()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(GoldenCase.ModelPath("node_add")));
        Assert.Contains("is an ONNX model but not an Rlx policy: it has no 'rlx.format' metadata entry", e.Message);
        Assert.Contains("rlx.format = 1", e.Message);
    }

    [Fact]
    public void Load_NewerFormat_NeedsANewerRlxInference()
    {
        var meta = TestPolicies.Metadata();
        meta["rlx.format"] = "2";
        var e = Assert.Throws<NotSupportedException>(() => OnnxPolicy.Load(TestPolicies.Q(meta)));
        Assert.Contains("has rlx.format = '2'; this Rlx.Inference reads format 1", e.Message);
    }

    [Fact]
    public void Load_UnknownOperator_NamesItAndTheTwoCauses()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxPolicy.Load(TestPolicies.Q(qOperator: "Einsum")));
        Assert.Contains("node 'q_values' (Einsum) uses operator 'Einsum', which Rlx.Inference does not run", e.Message);
        Assert.Contains("the file was not written by `rlx export`, or it needs a newer Rlx.Inference", e.Message);
    }

    [Fact]
    public void Load_NewerOpset_NeedsANewerRlxInference()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxPolicy.Load(TestPolicies.Q(opset: 18)));
        Assert.Contains("operator set 18", e.Message);
        Assert.Contains("needs a newer Rlx.Inference", e.Message);
    }

    [Fact]
    public void Load_MissingOrInconsistentMetadata_NamesTheEntry()
    {
        var meta = TestPolicies.Metadata();
        meta.Remove("rlx.action_heads");
        Assert.Contains("lacks the metadata entry 'rlx.action_heads'", Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(TestPolicies.Q(meta))).Message);

        meta = TestPolicies.Metadata();
        meta["rlx.observation_size"] = "3";
        Assert.Contains("'obs' is declared [batch, 2] but rlx.observation_size gives width 3", Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(TestPolicies.Q(meta))).Message);

        meta = TestPolicies.Metadata();
        meta["rlx.action_heads"] = """[{"kind":"categorical","head":0,"size":3,"action":0}]""";
        Assert.Contains("expected head kinds that fit rlx.policy = q", Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(TestPolicies.Q(meta))).Message);

        meta = TestPolicies.Metadata();
        meta["rlx.action_heads"] = "[{";
        Assert.Contains("rlx.action_heads is not valid JSON", Assert.Throws<InvalidDataException>(() => OnnxPolicy.Load(TestPolicies.Q(meta))).Message);
    }
}
