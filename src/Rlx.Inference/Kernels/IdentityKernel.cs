using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Identity: a copy of the input.</summary>
internal sealed class IdentityKernel : Kernel
{
    public IdentityKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output)
    {
    }

    public override void Run() => Output.CopyFrom(In(0));
}
