using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Transpose by a permutation of the axes (reversed when perm is absent).</summary>
internal sealed class TransposeKernel : Kernel
{
    private readonly int[]? _perm;
    private readonly int[] _axes = new int[Tensor.MaxRank];
    private readonly int[] _shape = new int[Tensor.MaxRank];
    private readonly int[] _stride = new int[Tensor.MaxRank];
    private readonly int[] _index = new int[Tensor.MaxRank];

    public TransposeKernel(NodeProto node, Tensor?[] inputs, Tensor output, int[]? perm)
        : base(node, inputs, output) => _perm = perm;

    public override void Run()
    {
        Tensor x = In(0);
        int rank = x.Rank;
        if (_perm is not null && _perm.Length != rank)
        {
            throw Fail($"perm has {_perm.Length} entries for an input of rank {rank}.");
        }

        int used = 0;
        for (int d = 0; d < rank; d++)
        {
            int axis = _perm is null ? rank - 1 - d : _perm[d];
            if (axis < 0 || axis >= rank || (used & (1 << axis)) != 0)
            {
                throw Fail($"perm [{string.Join(", ", _perm!)}] is not a permutation of 0..{rank - 1}.");
            }

            used |= 1 << axis;
            _axes[d] = axis;
            _shape[d] = x.Dim(axis);
        }

        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            _index[d] = 0;
            _stride[d] = stride;
            stride *= x.Dim(d);
        }

        Output.Resize(x.Type, _shape.AsSpan(0, rank));
        for (int o = 0; o < Output.Length; o++)
        {
            int at = 0;
            for (int d = 0; d < rank; d++)
            {
                at += _index[d] * _stride[_axes[d]];
            }

            CopyElement(x, at, Output, o);
            Advance(_index, _shape, rank);
        }
    }
}
