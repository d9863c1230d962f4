using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// Slice(data, starts, ends, axes?, steps?) with int64 index tensors: negative indices count from the end, starts and
/// ends are clamped to the dimension (to [0, dim] for positive steps, [-1, dim - 1] for negative ones).
/// </summary>
internal sealed class SliceKernel : Kernel
{
    private readonly int[] _start = new int[Tensor.MaxRank];
    private readonly int[] _step = new int[Tensor.MaxRank];
    private readonly int[] _shape = new int[Tensor.MaxRank];
    private readonly int[] _stride = new int[Tensor.MaxRank];
    private readonly int[] _index = new int[Tensor.MaxRank];
    private readonly bool[] _seen = new bool[Tensor.MaxRank];

    public SliceKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output)
    {
    }

    public override void Run()
    {
        Tensor x = In(0);
        int rank = x.Rank;
        for (int d = 0; d < rank; d++)
        {
            _start[d] = 0;
            _step[d] = 1;
            _shape[d] = x.Dim(d);
            _seen[d] = false;
        }

        Tensor starts = Indices(1)!, ends = Indices(2)!;
        Tensor? axes = Indices(3), steps = Indices(4);
        int count = starts.Length;
        if (ends.Length != count || (axes is not null && axes.Length != count) || (steps is not null && steps.Length != count))
        {
            throw Fail($"starts, ends, axes and steps must have the same length (got {starts.Length}, {ends.Length}, {axes?.Length.ToString() ?? "-"}, {steps?.Length.ToString() ?? "-"}).");
        }

        for (int i = 0; i < count; i++)
        {
            int axis = axes is null ? i : Axis(axes.Longs[i], rank);
            if (axes is null && axis >= rank)
            {
                throw Fail($"{count} starts for a tensor of rank {rank}.");
            }

            if (_seen[axis])
            {
                throw Fail($"axis {axis} is sliced twice.");
            }

            _seen[axis] = true;
            long step = steps is null ? 1 : steps.Longs[i];
            if (step == 0)
            {
                throw Fail("a step of 0.");
            }

            long dim = x.Dim(axis), start = starts.Longs[i], end = ends.Longs[i];
            start = start < 0 ? start + dim : start;
            end = end < 0 ? end + dim : end;
            long size;
            if (step > 0)
            {
                start = Clamp(start, 0, dim);
                end = Clamp(end, 0, dim);
                size = end > start ? ((end - start - 1) / step) + 1 : 0;
            }
            else
            {
                start = Clamp(start, 0, dim - 1);
                end = Clamp(end, -1, dim - 1);
                size = start > end ? ((start - end - 1) / -step) + 1 : 0;
            }

            _start[axis] = (int)start;
            _step[axis] = (int)Math.Max(Math.Min(step, int.MaxValue), int.MinValue);
            _shape[axis] = (int)size;
        }

        Output.Resize(x.Type, _shape.AsSpan(0, rank));
        if (Output.Length == 0)
        {
            return;
        }

        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            _stride[d] = stride;
            stride *= x.Dim(d);
            _index[d] = 0;
        }

        // Walk the output in order; the input offset is Σ (start + index·step)·stride over the dimensions.
        for (int o = 0; o < Output.Length; o++)
        {
            int at = 0;
            for (int d = 0; d < rank; d++)
            {
                at += (_start[d] + (_index[d] * _step[d])) * _stride[d];
            }

            CopyElement(x, at, Output, o);
            Advance(_index, _shape, rank);
        }
    }

    private Tensor? Indices(int index)
    {
        Tensor? t = index < Inputs.Length ? Inputs[index] : null;
        if (t is not null && (t.Type != ElementType.Int64 || t.Rank != 1))
        {
            throw Fail($"input {index} ('{t.Name}') is {t.Type} {t.ShapeText()}; starts, ends, axes and steps are 1-D INT64 tensors.");
        }

        return t;
    }

    private static long Clamp(long value, long min, long max) => value < min ? min : value > max ? max : value;
}
