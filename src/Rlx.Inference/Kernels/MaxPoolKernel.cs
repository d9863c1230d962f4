using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>2-D max pooling over NCHW; padded positions count as −∞ (they never win).</summary>
internal sealed class MaxPoolKernel : Kernel
{
    private readonly Window2D _window;
    private readonly int[] _shape = new int[4];

    public MaxPoolKernel(NodeProto node, Tensor?[] inputs, Tensor output, Window2D window)
        : base(node, inputs, output) => _window = window;

    public override void Run()
    {
        RequireType(0, ElementType.Float);
        RequireRank(0, 4);
        Tensor x = In(0);
        Window2D g = _window;
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int oh = g.OutputHeight(h), ow = g.OutputWidth(w);
        _shape[0] = n;
        _shape[1] = c;
        _shape[2] = oh;
        _shape[3] = ow;
        Output.Resize(ElementType.Float, _shape);
        float[] xv = x.Floats, y = Output.Floats;
        for (int p = 0; p < n * c; p++)
        {
            int inAt = p * h * w, outAt = p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    for (int ky = 0; ky < g.KernelH; ky++)
                    {
                        int iy = (oy * g.StrideH) - g.PadTop + (ky * g.DilationH);
                        if (iy < 0 || iy >= h)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < g.KernelW; kx++)
                        {
                            int ix = (ox * g.StrideW) - g.PadLeft + (kx * g.DilationW);
                            if (ix >= 0 && ix < w && xv[inAt + (iy * w) + ix] > best)
                            {
                                best = xv[inAt + (iy * w) + ix];
                            }
                        }
                    }

                    y[outAt + (oy * ow) + ox] = best;
                }
            }
        }
    }
}
