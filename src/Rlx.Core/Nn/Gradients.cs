namespace Rlx.Nn;

/// <summary>Operations on the gradients of a set of parameters.</summary>
public static class Gradients
{
    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>, as
    /// <c>torch.nn.utils.clip_grad_norm_</c> (coefficient <c>maxNorm / (norm + 1e-6)</c>, capped at 1).
    /// Returns the norm before clipping.
    /// </summary>
    public static double ClipGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameter[] list = [.. parameters];
        double sumSquares = 0;
        foreach (Parameter p in list)
        {
            sumSquares += System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(p.Grad);
        }

        double norm = Math.Sqrt(sumSquares);
        double coefficient = Math.Min(1.0, maxNorm / (norm + 1e-6));
        if (coefficient < 1.0)
        {
            foreach (Parameter p in list)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad, (float)coefficient, p.Grad);
            }
        }

        return norm;
    }
}
