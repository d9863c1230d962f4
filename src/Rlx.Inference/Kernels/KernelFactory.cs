using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// Checks each node against the operator subset Rlx.Inference runs (its inputs, outputs and attributes) and creates
/// its kernel. Everything outside the subset is refused here, when the model is loaded, never half-way through a run.
/// </summary>
internal static class KernelFactory
{
    private static readonly Dictionary<string, (int MinInputs, int MaxInputs, string[] Attributes)> Operators = new(StringComparer.Ordinal)
    {
        ["Gemm"] = (2, 3, ["alpha", "beta", "transA", "transB"]),
        ["MatMul"] = (2, 2, []),
        ["Add"] = (2, 2, []),
        ["Sub"] = (2, 2, []),
        ["Mul"] = (2, 2, []),
        ["Div"] = (2, 2, []),
        ["Equal"] = (2, 2, []),
        ["Min"] = (2, 2, []),
        ["Max"] = (2, 2, []),
        ["Where"] = (3, 3, []),
        ["Tanh"] = (1, 1, []),
        ["Relu"] = (1, 1, []),
        ["Sigmoid"] = (1, 1, []),
        ["Exp"] = (1, 1, []),
        ["Identity"] = (1, 1, []),
        ["Clip"] = (1, 3, []),
        ["Slice"] = (3, 5, []),
        ["Concat"] = (1, int.MaxValue, ["axis"]),
        ["Reshape"] = (2, 2, ["allowzero"]),
        ["Flatten"] = (1, 1, ["axis"]),
        ["Transpose"] = (1, 1, ["perm"]),
        ["Conv"] = (2, 3, ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"]),
        ["MaxPool"] = (1, 1, ["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"]),
        ["ArgMax"] = (1, 1, ["axis", "keepdims", "select_last_index"]),
        ["Cast"] = (1, 1, ["to"]),
    };

    /// <summary>The operators Rlx.Inference runs, for error messages and documentation.</summary>
    public static string SupportedList => string.Join(", ", Operators.Keys);

    public static Kernel Create(NodeProto node, Tensor?[] inputs, Tensor output)
    {
        if (!Operators.TryGetValue(node.OpType, out var op))
        {
            throw new NotSupportedException(
                $"{node.Describe()} uses operator '{node.OpType}', which Rlx.Inference does not run: the file was not written by `rlx export`, " +
                $"or it needs a newer Rlx.Inference. Supported operators: {SupportedList}.");
        }

        if (inputs.Length < op.MinInputs || inputs.Length > op.MaxInputs)
        {
            throw Invalid(node, $"has {inputs.Length} inputs; {node.OpType} takes {op.MinInputs}{(op.MaxInputs == op.MinInputs ? "" : op.MaxInputs == int.MaxValue ? " or more" : $" to {op.MaxInputs}")}.");
        }

        for (int i = 0; i < op.MinInputs; i++)
        {
            if (inputs[i] is null)
            {
                throw Invalid(node, $"omits its required input {i}.");
            }
        }

        foreach (AttributeProto a in node.Attributes)
        {
            if (Array.IndexOf(op.Attributes, a.Name) < 0)
            {
                throw new NotSupportedException($"{node.Describe()} has attribute '{a.Name}', which Rlx.Inference does not support for {node.OpType}.");
            }
        }

        var at = new NodeAttributes(node);
        return node.OpType switch
        {
            "Gemm" => new GemmKernel(node, inputs, output, at.Float("alpha", 1f), at.Float("beta", 1f), at.Int("transA", 0) != 0, at.Int("transB", 0) != 0),
            "MatMul" => new GemmKernel(node, inputs, output, 1f, 1f, false, false),
            "Add" or "Sub" or "Mul" or "Div" or "Min" or "Max" or "Equal" => new BinaryKernel(node, inputs, output),
            "Where" => new WhereKernel(node, inputs, output),
            "Tanh" or "Relu" or "Sigmoid" or "Exp" => new UnaryKernel(node, inputs, output),
            "Identity" => new IdentityKernel(node, inputs, output),
            "Clip" => new ClipKernel(node, inputs, output),
            "Slice" => new SliceKernel(node, inputs, output),
            "Concat" => new ConcatKernel(node, inputs, output, at.Find("axis")?.I ?? throw Invalid(node, "has no axis attribute; Concat requires one.")),
            "Reshape" => Reshape(node, inputs, output, at),
            "Flatten" => new ReshapeKernel(node, inputs, output, at.Int("axis", 1)),
            "Transpose" => new TransposeKernel(node, inputs, output, at.Ints("perm")),
            "Conv" => Conv(node, inputs, output, at),
            "MaxPool" => MaxPool(node, inputs, output, at),
            "ArgMax" => new ArgMaxKernel(node, inputs, output, at.Int("axis", 0), at.Int("keepdims", 1) != 0, at.Int("select_last_index", 0) != 0),
            _ => Cast(node, inputs, output, at),
        };
    }

    private static ReshapeKernel Reshape(NodeProto node, Tensor?[] inputs, Tensor output, NodeAttributes at) =>
        at.Int("allowzero", 0) != 0
            ? throw new NotSupportedException($"{node.Describe()} sets allowzero = 1, which Rlx.Inference does not support (0 in the shape copies the input's dimension).")
            : new ReshapeKernel(node, inputs, output, null);

    private static ConvKernel Conv(NodeProto node, Tensor?[] inputs, Tensor output, NodeAttributes at)
    {
        CheckAutoPad(node, at);
        if (at.Int("group", 1) != 1)
        {
            throw new NotSupportedException($"{node.Describe()} has group = {at.Int("group", 1)}; Rlx.Inference supports group = 1 only.");
        }

        int[]? kernel = at.Ints("kernel_shape"), strides = at.Ints("strides"), dilations = at.Ints("dilations"), pads = at.Ints("pads");
        if (Window2D.Check(kernel ?? [1, 1], strides, dilations, pads) is { } problem)
        {
            throw new NotSupportedException($"{node.Describe()}: {problem}.");
        }

        return new ConvKernel(node, inputs, output, kernel, strides, dilations, pads);
    }

    private static MaxPoolKernel MaxPool(NodeProto node, Tensor?[] inputs, Tensor output, NodeAttributes at)
    {
        CheckAutoPad(node, at);
        if (at.Int("ceil_mode", 0) != 0 || at.Int("storage_order", 0) != 0)
        {
            throw new NotSupportedException($"{node.Describe()} sets ceil_mode or storage_order; Rlx.Inference supports only their default 0.");
        }

        int[] kernel = at.Ints("kernel_shape") ?? throw Invalid(node, "has no kernel_shape; MaxPool requires one.");
        int[]? strides = at.Ints("strides"), dilations = at.Ints("dilations"), pads = at.Ints("pads");
        if (Window2D.Check(kernel, strides, dilations, pads) is { } problem)
        {
            throw new NotSupportedException($"{node.Describe()}: {problem}.");
        }

        return new MaxPoolKernel(node, inputs, output, new Window2D(kernel, strides, dilations, pads));
    }

    private static CastKernel Cast(NodeProto node, Tensor?[] inputs, Tensor output, NodeAttributes at)
    {
        long to = at.Find("to")?.I ?? throw Invalid(node, "has no 'to' attribute; Cast requires one.");
        return DataTypes.IsSupported((int)to)
            ? new CastKernel(node, inputs, output, (ElementType)to)
            : throw new NotSupportedException($"{node.Describe()} casts to {DataTypes.Name((int)to)}; {DataTypes.Supported}.");
    }

    private static void CheckAutoPad(NodeProto node, NodeAttributes at)
    {
        string autoPad = at.String("auto_pad", "NOTSET");
        if (autoPad != "NOTSET" && autoPad != "VALID")
        {
            throw new NotSupportedException($"{node.Describe()} has auto_pad = {autoPad}; Rlx.Inference supports NOTSET (explicit pads) and VALID only.");
        }
    }

    private static InvalidDataException Invalid(NodeProto node, string message) => new($"{node.Describe()} {message}");
}
