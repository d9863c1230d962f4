using Rlx.Random;

namespace Rlx.Nn;

/// <summary>Weight initialisation.</summary>
public static class Init
{
    /// <summary>
    /// Orthogonal initialisation scaled by <paramref name="gain"/> (as <c>torch.nn.init.orthogonal_</c>):
    /// a Gaussian matrix orthonormalised by QR, so rows (or columns, whichever are fewer) are orthonormal.
    /// </summary>
    public static void Orthogonal(Parameter weight, double gain, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(random);
        int rows = weight.Shape[0];
        int cols = weight.Size / rows;
        bool transpose = rows < cols;
        int tall = transpose ? cols : rows;
        int wide = transpose ? rows : cols;

        // Columns of a tall × wide Gaussian matrix, orthonormalised by modified Gram–Schmidt.
        var q = new double[wide][];
        for (int c = 0; c < wide; c++)
        {
            q[c] = new double[tall];
            for (int r = 0; r < tall; r++)
            {
                q[c][r] = Normal(random);
            }
        }

        for (int c = 0; c < wide; c++)
        {
            for (int prev = 0; prev < c; prev++)
            {
                double dot = 0;
                for (int r = 0; r < tall; r++)
                {
                    dot += q[prev][r] * q[c][r];
                }

                for (int r = 0; r < tall; r++)
                {
                    q[c][r] -= dot * q[prev][r];
                }
            }

            double norm = Math.Sqrt(q[c].Sum(v => v * v));
            for (int r = 0; r < tall; r++)
            {
                q[c][r] /= norm;
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double value = transpose ? q[r][c] : q[c][r];
                weight.Value[(r * cols) + c] = (float)(gain * value);
            }
        }
    }

    /// <summary>
    /// PyTorch's default <c>nn.Linear</c> initialisation: weights and biases uniform in
    /// <c>±1/√fan_in</c> (Kaiming-uniform with a = √5).
    /// </summary>
    public static void PyTorchDefault(Linear layer, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(random);
        double bound = 1.0 / Math.Sqrt(layer.Inputs);
        foreach (Parameter p in new[] { layer.Weight, layer.Bias })
        {
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] = (float)random.Uniform(-bound, bound);
            }
        }
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static void Constant(Parameter parameter, float value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Array.Fill(parameter.Value, value);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
