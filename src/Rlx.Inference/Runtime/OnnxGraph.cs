using Rlx.Inference.Kernels;
using Rlx.Inference.Proto;

namespace Rlx.Inference.Runtime;

/// <summary>
/// A loaded ONNX graph, planned once: every value is a <see cref="Tensor"/> whose buffer is kept between runs, and
/// the nodes are kernels in topological order. Fill the input tensors, call <see cref="Run"/>, read the outputs.
/// A run allocates only when a tensor needs more room than in any run before (a larger batch).
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The oldest default-domain opset whose semantics for the supported operators this runtime implements.</summary>
    public const int MinOpset = 13;

    /// <summary>The newest default-domain opset accepted: the one `rlx export` writes.</summary>
    public const int MaxOpset = 17;

    private readonly Kernel[] _kernels;
    private readonly Dictionary<string, Tensor> _values;
    private readonly (ValueInfoProto Info, Tensor Tensor)[] _inputs;

    private OnnxGraph(Kernel[] kernels, Dictionary<string, Tensor> values, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs)
    {
        _kernels = kernels;
        _values = values;
        Inputs = inputs;
        Outputs = outputs;
        _inputs = inputs.Select(i => (i, values[i.Name])).ToArray();
    }

    /// <summary>The inputs the caller fills (graph inputs that are not initializers), as declared.</summary>
    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    /// <summary>The graph outputs, as declared.</summary>
    public IReadOnlyList<ValueInfoProto> Outputs { get; }

    /// <summary>The tensor of a value (an input to fill, an output to read).</summary>
    public Tensor this[string name] => _values[name];

    /// <summary>Plans <paramref name="model"/>'s graph; refuses anything outside the supported subset.</summary>
    public static OnnxGraph Build(ModelProto model)
    {
        GraphProto graph = model.Graph ?? throw new InvalidDataException("the model has no graph.");
        CheckOpsets(model);
        if (graph.HasSparseInitializers)
        {
            throw new NotSupportedException("the graph has sparse initializers, which Rlx.Inference does not read.");
        }

        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (TensorProto initializer in graph.Initializers)
        {
            values[initializer.Name] = TensorDecoder.Decode(initializer, $"initializer '{initializer.Name}'");
        }

        var inputs = new List<ValueInfoProto>();
        foreach (ValueInfoProto input in graph.Inputs)
        {
            if (values.ContainsKey(input.Name))
            {
                continue; // an initializer listed as an input too (older IR versions): it stays a constant
            }

            if (!input.IsTensor || !DataTypes.IsSupported(input.ElementType))
            {
                throw new NotSupportedException(
                    $"graph input '{input.Name}' is {(input.IsTensor ? DataTypes.Name(input.ElementType) : "not a tensor")}; {DataTypes.Supported}.");
            }

            values[input.Name] = new Tensor(input.Name);
            inputs.Add(input);
        }

        Kernel[] kernels = Plan(graph.Nodes, values);
        foreach (ValueInfoProto output in graph.Outputs)
        {
            if (!values.ContainsKey(output.Name))
            {
                throw new InvalidDataException($"graph output '{output.Name}' is produced by no node, input or initializer.");
            }
        }

        return new OnnxGraph(kernels, values, inputs, graph.Outputs);
    }

    /// <summary>Runs every node once, in order, after checking the inputs against their declared types and shapes.</summary>
    public void Run()
    {
        foreach ((ValueInfoProto input, Tensor t) in _inputs)
        {
            if ((int)t.Type != input.ElementType || (input.Shape is { } shape && !Fits(t, shape)))
            {
                throw new ArgumentException(
                    $"input '{input.Name}' is {t.Type} {t.ShapeText()}; the model declares {DataTypes.Name(input.ElementType)} {Describe(input)}.");
            }
        }

        foreach (Kernel kernel in _kernels)
        {
            kernel.Run();
        }
    }

    /// <summary>A declared shape as text, symbolic dimensions by name: <c>[batch, 4]</c>.</summary>
    public static string Describe(ValueInfoProto info) =>
        info.Shape is null
            ? "(any shape)"
            : "[" + string.Join(", ", info.Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : info.DimParams[i] ?? "?")) + "]";

    private static bool Fits(Tensor t, List<long> shape)
    {
        if (t.Rank != shape.Count)
        {
            return false;
        }

        for (int d = 0; d < shape.Count; d++)
        {
            if (shape[d] >= 0 && shape[d] != t.Dim(d))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckOpsets(ModelProto model)
    {
        long? version = null;
        foreach ((string domain, long v) in model.OpsetImports)
        {
            if (domain is "" or "ai.onnx")
            {
                version = v;
            }
        }

        if (version is null)
        {
            throw new InvalidDataException("the model imports no default-domain operator set (opset_import with domain \"\").");
        }

        if (version > MaxOpset || version < MinOpset)
        {
            throw new NotSupportedException(
                $"the model uses operator set {version}; Rlx.Inference runs opsets {MinOpset} to {MaxOpset} (`rlx export` writes {MaxOpset})" +
                (version > MaxOpset ? ", so this file needs a newer Rlx.Inference." : "; re-export the model with a newer opset."));
        }
    }

    // Kahn's algorithm over value availability: a node runs once all of its (present) inputs exist.
    private static Kernel[] Plan(List<NodeProto> nodes, Dictionary<string, Tensor> values)
    {
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeProto node in nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
            {
                throw new NotSupportedException(
                    $"{node.Describe()} is from operator domain '{node.Domain}'; Rlx.Inference runs default-domain operators only: " +
                    "the file was not written by `rlx export`, or it needs a newer Rlx.Inference.");
            }

            if (node.Outputs.Count != 1 || node.Outputs[0].Length == 0)
            {
                throw new NotSupportedException($"{node.Describe()} has {node.Outputs.Count} outputs; Rlx.Inference runs nodes with exactly one.");
            }

            string output = node.Outputs[0];
            if (values.ContainsKey(output) || !produced.Add(output))
            {
                throw new InvalidDataException($"value '{output}' is defined twice (by {node.Describe()} and another node, input or initializer).");
            }
        }

        var kernels = new List<Kernel>(nodes.Count);
        var pending = new List<NodeProto>(nodes);
        while (pending.Count > 0)
        {
            int before = pending.Count;
            for (int i = 0; i < pending.Count; i++)
            {
                NodeProto node = pending[i];
                if (!node.Inputs.All(name => name.Length == 0 || values.ContainsKey(name)))
                {
                    continue;
                }

                Tensor?[] inputs = node.Inputs.Select(name => name.Length == 0 ? null : values[name]).ToArray();
                var output = new Tensor(node.Outputs[0]);
                kernels.Add(KernelFactory.Create(node, inputs, output));
                values[output.Name] = output;
                pending.RemoveAt(i--);
            }

            if (pending.Count == before)
            {
                NodeProto stuck = pending[0];
                string missing = stuck.Inputs.First(name => name.Length > 0 && !values.ContainsKey(name));
                throw new InvalidDataException(
                    produced.Contains(missing)
                        ? $"{stuck.Describe()} reads '{missing}', whose producer waits, directly or not, on this node: the graph has a cycle."
                        : $"{stuck.Describe()} reads '{missing}', which no node, graph input or initializer provides.");
            }
        }

        return [.. kernels];
    }
}
