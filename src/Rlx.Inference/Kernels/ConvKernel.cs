using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// 2-D convolution (group 1) over NCHW: X [N, C, H, W], W [M, C, kH, kW], optional bias B [M]; zero padding.
/// Each output plane starts at its bias and accumulates one kernel tap at a time over the rows and columns that
/// tap reaches inside the input.
/// </summary>
internal sealed class ConvKernel : Kernel
{
    private readonly int[]? _kernel, _strides, _dilations, _pads;
    private readonly int[] _shape = new int[4];
    private Window2D? _window;

    public ConvKernel(NodeProto node, Tensor?[] inputs, Tensor output, int[]? kernel, int[]? strides, int[]? dilations, int[]? pads)
        : base(node, inputs, output)
    {
        _kernel = kernel;
        _strides = strides;
        _dilations = dilations;
        _pads = pads;
    }

    public override void Run()
    {
        RequireType(0, ElementType.Float);
        RequireType(1, ElementType.Float);
        RequireRank(0, 4);
        RequireRank(1, 4);
        Tensor x = In(0), w = In(1);
        Tensor? bias = Inputs.Length > 2 ? Inputs[2] : null;
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), wd = x.Dim(3), m = w.Dim(0);
        if (w.Dim(1) != c)
        {
            throw Fail($"weights {w.ShapeText()} expect {w.Dim(1)} input channels; the input {x.ShapeText()} has {c} (group must be 1).");
        }

        if (_window is null || _window.KernelH != w.Dim(2) || _window.KernelW != w.Dim(3))
        {
            int[] kernel = _kernel ?? [w.Dim(2), w.Dim(3)];
            if (kernel[0] != w.Dim(2) || kernel[1] != w.Dim(3))
            {
                throw Fail($"kernel_shape [{kernel[0]}, {kernel[1]}] does not match the weights {w.ShapeText()}.");
            }

            _window = new Window2D(kernel, _strides, _dilations, _pads);
        }

        if (bias is not null && (bias.Type != ElementType.Float || bias.Length != m))
        {
            throw Fail($"bias '{bias.Name}' is {bias.Type} {bias.ShapeText()}; it must hold {m} floats.");
        }

        Window2D g = _window;
        int oh = g.OutputHeight(h), ow = g.OutputWidth(wd);
        _shape[0] = n;
        _shape[1] = m;
        _shape[2] = oh;
        _shape[3] = ow;
        Output.Resize(ElementType.Float, _shape);
        float[] xv = x.Floats, wv = w.Floats, y = Output.Floats;
        int plane = oh * ow;
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < m; f++)
            {
                int outAt = ((b * m) + f) * plane;
                y.AsSpan(outAt, plane).Fill(bias?.Floats[f] ?? 0f);
                for (int ch = 0; ch < c; ch++)
                {
                    int inAt = ((b * c) + ch) * h * wd;
                    for (int ky = 0; ky < g.KernelH; ky++)
                    {
                        for (int kx = 0; kx < g.KernelW; kx++)
                        {
                            float weight = wv[((((f * c) + ch) * g.KernelH) + ky) * g.KernelW + kx];
                            int dy = (ky * g.DilationH) - g.PadTop, dx = (kx * g.DilationW) - g.PadLeft;
                            (int x0, int x1) = Reach(dx, g.StrideW, wd, ow);
                            for (int oy = 0; oy < oh; oy++)
                            {
                                int iy = (oy * g.StrideH) + dy;
                                if (iy < 0 || iy >= h)
                                {
                                    continue;
                                }

                                int row = inAt + (iy * wd) + dx, o = outAt + (oy * ow);
                                for (int ox = x0; ox < x1; ox++)
                                {
                                    y[o + ox] += weight * xv[row + (ox * g.StrideW)];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [x0, x1) whose input column ox·stride + offset lies inside [0, size).</summary>
    internal static (int, int) Reach(int offset, int stride, int size, int outputs)
    {
        int x0 = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int x1 = size - offset <= 0 ? 0 : Math.Min(outputs, ((size - offset - 1) / stride) + 1);
        return (x0, Math.Max(x0, x1));
    }
}
