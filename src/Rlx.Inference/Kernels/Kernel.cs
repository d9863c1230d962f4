using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// One node of the planned graph: its input tensors (null for an omitted optional input) and its output tensor,
/// bound once when the graph is planned. <see cref="Run"/> computes the output's shape, resizes it (which allocates
/// only when it grows) and fills it.
/// </summary>
internal abstract class Kernel
{
    protected Kernel(NodeProto node, Tensor?[] inputs, Tensor output)
    {
        Node = node;
        Inputs = inputs;
        Output = output;
    }

    public NodeProto Node { get; }

    public Tensor?[] Inputs { get; }

    public Tensor Output { get; }

    /// <summary>Input <paramref name="index"/>, which the factory checked is present.</summary>
    protected Tensor In(int index) => Inputs[index]!;

    public abstract void Run();

    /// <summary>An error about this node, for shapes or values that do not fit the operator at run time.</summary>
    protected InvalidOperationException Fail(string message) => new($"{Node.Describe()}: {message}");

    /// <summary>Throws unless input <paramref name="index"/> has the element type <paramref name="type"/>.</summary>
    protected void RequireType(int index, ElementType type)
    {
        if (In(index).Type != type)
        {
            throw Fail($"input {index} ('{In(index).Name}') is {In(index).Type}; the operator needs {type} here.");
        }
    }

    /// <summary>Throws unless input <paramref name="index"/> has rank <paramref name="rank"/>.</summary>
    protected void RequireRank(int index, int rank)
    {
        if (In(index).Rank != rank)
        {
            throw Fail($"input {index} ('{In(index).Name}') has shape {In(index).ShapeText()}; Rlx.Inference supports only rank {rank} here.");
        }
    }

    /// <summary>Normalises a possibly negative axis against <paramref name="rank"/>.</summary>
    protected int Axis(long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw Fail($"axis {axis} is out of range for rank {rank}.");
        }

        return (int)a;
    }

    /// <summary>Copies element <paramref name="from"/> of <paramref name="x"/> to element <paramref name="to"/> of <paramref name="y"/> (same element type).</summary>
    protected static void CopyElement(Tensor x, int from, Tensor y, int to)
    {
        switch (x.Type)
        {
            case ElementType.Float:
                y.Floats[to] = x.Floats[from];
                break;
            case ElementType.Int64:
                y.Longs[to] = x.Longs[from];
                break;
            default:
                y.Bools[to] = x.Bools[from];
                break;
        }
    }

    /// <summary>Moves a row-major multi-index one element on within <paramref name="shape"/> (its first <paramref name="rank"/> dimensions).</summary>
    protected static void Advance(int[] index, int[] shape, int rank)
    {
        for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--)
        {
            index[d] = 0;
        }
    }
}
