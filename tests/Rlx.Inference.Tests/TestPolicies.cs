namespace Rlx.Inference.Tests;

/// <summary>
/// A tiny Q policy written by <see cref="ModelWriter"/>: q_values = obs·W (2 observations, 3 actions), action = the
/// greedy index as a float. Tests vary its metadata, opset or operators to check what loading refuses.
/// </summary>
internal static class TestPolicies
{
    public static Dictionary<string, string> Metadata() => new()
    {
        ["rlx.format"] = "1",
        ["rlx.version"] = "test",
        ["rlx.algorithm"] = "dqn",
        ["rlx.policy"] = "q",
        ["rlx.observation_size"] = "2",
        ["rlx.action_size"] = "1",
        ["rlx.state_size"] = "0",
        ["rlx.action_heads"] = """[{"kind":"q","size":3,"action":0}]""",
    };

    public static byte[] Q(Dictionary<string, string>? metadata = null, long opset = 17, string qOperator = "MatMul") =>
        ModelWriter.Model(
            g => g
                .Node(qOperator, ["obs", "w"], ["q_values"])
                .Node("ArgMax", ["q_values"], ["index"], ("axis", 1), ("keepdims", 1))
                .Node("Cast", ["index"], ["action"], ("to", 1))
                .Initializer("w", [2, 3], [1, 0, -1, 0, 1, 2])
                .Value(11, "obs", null, 2)
                .Value(12, "action", null, 1)
                .Value(12, "q_values", null, 3),
            metadata ?? Metadata(),
            opset);
}
