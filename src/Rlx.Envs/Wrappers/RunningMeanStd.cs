namespace Rlx.Environments.Wrappers;

/// <summary>
/// Running mean and variance by the parallel (Chan et al.) update, in float64, as Gymnasium's
/// <c>RunningMeanStd</c> (initial mean 0, variance 1, count 1e-4).
/// </summary>
public sealed class RunningMeanStd
{
    private readonly double[] _mean;
    private readonly double[] _var;

    /// <summary>Creates statistics for vectors of <paramref name="size"/> values.</summary>
    public RunningMeanStd(int size, double epsilon = 1e-4)
    {
        _mean = new double[size];
        _var = new double[size];
        Array.Fill(_var, 1.0);
        Count = epsilon;
    }

    /// <summary>Running mean per element.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Running (population) variance per element.</summary>
    public ReadOnlySpan<double> Var => _var;

    /// <summary>Number of samples seen, plus the initial epsilon.</summary>
    public double Count { get; private set; }

    /// <summary>Adds one sample (a batch of one: batch variance 0).</summary>
    public void Update(ReadOnlySpan<float> sample)
    {
        double total = Count + 1;
        for (int i = 0; i < _mean.Length; i++)
        {
            double delta = sample[i] - _mean[i];
            _mean[i] += delta * 1 / total;
            double m2 = (_var[i] * Count) + 0 + (delta * delta * Count * 1 / total);
            _var[i] = m2 / total;
        }

        Count = total;
    }

    /// <summary>Adds one scalar sample (for one-element statistics).</summary>
    public void Update(double sample)
    {
        double total = Count + 1;
        double delta = sample - _mean[0];
        _mean[0] += delta * 1 / total;
        _var[0] = ((_var[0] * Count) + (delta * delta * Count * 1 / total)) / total;
        Count = total;
    }

    /// <summary>Writes the statistics (checkpoints).</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Count);
        for (int i = 0; i < _mean.Length; i++)
        {
            writer.Write(_mean[i]);
            writer.Write(_var[i]);
        }
    }

    /// <summary>Reads statistics written by <see cref="Write"/>.</summary>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Count = reader.ReadDouble();
        for (int i = 0; i < _mean.Length; i++)
        {
            _mean[i] = reader.ReadDouble();
            _var[i] = reader.ReadDouble();
        }
    }

    /// <summary>Restores saved statistics (checkpoints).</summary>
    public void Set(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, double count)
    {
        mean.CopyTo(_mean);
        variance.CopyTo(_var);
        Count = count;
    }
}
