namespace Rlx.Inference.Kernels;

/// <summary>
/// The sliding-window geometry Conv and MaxPool share over NCHW inputs: kernel size, strides, dilations and pads
/// (top, left, bottom, right), giving each output size as ⌊(in + pads − dilation·(kernel − 1) − 1) / stride⌋ + 1.
/// </summary>
internal sealed class Window2D
{
    public Window2D(int[] kernel, int[]? strides, int[]? dilations, int[]? pads)
    {
        KernelH = kernel[0];
        KernelW = kernel[1];
        StrideH = strides?[0] ?? 1;
        StrideW = strides?[1] ?? 1;
        DilationH = dilations?[0] ?? 1;
        DilationW = dilations?[1] ?? 1;
        PadTop = pads?[0] ?? 0;
        PadLeft = pads?[1] ?? 0;
        PadBottom = pads?[2] ?? 0;
        PadRight = pads?[3] ?? 0;
    }

    public int KernelH { get; }

    public int KernelW { get; }

    public int StrideH { get; }

    public int StrideW { get; }

    public int DilationH { get; }

    public int DilationW { get; }

    public int PadTop { get; }

    public int PadLeft { get; }

    public int PadBottom { get; }

    public int PadRight { get; }

    /// <summary>A description of any attribute value that cannot work (non-positive sizes, negative pads), or null.</summary>
    public static string? Check(int[] kernel, int[]? strides, int[]? dilations, int[]? pads)
    {
        if (kernel.Length != 2 || (strides?.Length ?? 2) != 2 || (dilations?.Length ?? 2) != 2 || (pads?.Length ?? 4) != 4)
        {
            return "kernel_shape, strides and dilations must have 2 entries and pads 4 (Rlx.Inference supports 2-D windows only)";
        }

        foreach (int[]? values in new[] { kernel, strides, dilations })
        {
            if (values is not null && (values[0] < 1 || values[1] < 1))
            {
                return "kernel_shape, strides and dilations must be positive";
            }
        }

        return pads is not null && Array.Exists(pads, p => p < 0) ? "pads must not be negative" : null;
    }

    public int OutputHeight(int height) => OutputSize(height, PadTop + PadBottom, KernelH, StrideH, DilationH);

    public int OutputWidth(int width) => OutputSize(width, PadLeft + PadRight, KernelW, StrideW, DilationW);

    private static int OutputSize(int size, int pads, int kernel, int stride, int dilation)
    {
        int span = size + pads - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }
}
