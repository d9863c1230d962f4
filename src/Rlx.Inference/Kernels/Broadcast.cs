using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// Numpy-style broadcasting of up to three inputs. <see cref="Prepare"/> computes the output shape and each input's
/// strides (0 along broadcast dimensions); the output is then walked row by row, a row being its innermost
/// dimension, with <see cref="Row"/> giving each input's offset and <see cref="InnerStrides"/> its step within a row.
/// </summary>
internal sealed class Broadcast
{
    private readonly int[] _shape = new int[Tensor.MaxRank];
    private readonly int[][] _strides = [new int[Tensor.MaxRank], new int[Tensor.MaxRank], new int[Tensor.MaxRank]];
    private readonly int[] _inner = new int[3];
    private int _rank;

    /// <summary>The output's shape after <see cref="Prepare"/>.</summary>
    public ReadOnlySpan<int> Shape => _shape.AsSpan(0, _rank);

    /// <summary>Elements per row (the innermost dimension; 1 for a scalar output).</summary>
    public int RowLength { get; private set; }

    /// <summary>Rows in the output.</summary>
    public int Rows { get; private set; }

    /// <summary>Each input's step between consecutive elements of a row: 1, or 0 when broadcast along it.</summary>
    public ReadOnlySpan<int> InnerStrides => _inner;

    /// <summary>Computes the broadcast shape of the inputs, or returns an error message if they do not broadcast.</summary>
    public string? Prepare(Tensor a, Tensor b, Tensor? c = null)
    {
        _rank = Math.Max(a.Rank, Math.Max(b.Rank, c?.Rank ?? 0));
        for (int d = 0; d < _rank; d++)
        {
            int size = 1;
            for (int i = 0; i < 3; i++)
            {
                Tensor? t = i == 0 ? a : i == 1 ? b : c;
                if (t is null)
                {
                    continue;
                }

                int k = d - (_rank - t.Rank);
                int dim = k < 0 ? 1 : t.Dim(k);
                if (dim == size || dim == 1)
                {
                    continue;
                }

                if (size != 1)
                {
                    return $"shapes {a.ShapeText()}, {b.ShapeText()}{(c is null ? "" : ", " + c.ShapeText())} do not broadcast (dimension {d}).";
                }

                size = dim;
            }

            _shape[d] = size;
        }

        Strides(a, _strides[0]);
        Strides(b, _strides[1]);
        if (c is not null)
        {
            Strides(c, _strides[2]);
        }

        RowLength = _rank == 0 ? 1 : _shape[_rank - 1];
        long rows = 1;
        for (int d = 0; d < _rank - 1; d++)
        {
            rows *= _shape[d];
        }

        Rows = RowLength == 0 ? 0 : (int)rows;
        for (int i = 0; i < 3; i++)
        {
            _inner[i] = _rank == 0 ? 0 : _strides[i][_rank - 1];
        }

        return null;
    }

    /// <summary>The offsets of row <paramref name="row"/> in the three inputs.</summary>
    public void Row(int row, out int offsetA, out int offsetB, out int offsetC)
    {
        offsetA = offsetB = offsetC = 0;
        for (int d = _rank - 2; d >= 0 && row > 0; d--)
        {
            int index = row % _shape[d];
            row /= _shape[d];
            offsetA += index * _strides[0][d];
            offsetB += index * _strides[1][d];
            offsetC += index * _strides[2][d];
        }
    }

    private void Strides(Tensor t, int[] strides)
    {
        int stride = 1;
        for (int d = _rank - 1; d >= 0; d--)
        {
            int k = d - (_rank - t.Rank);
            int dim = k < 0 ? 1 : t.Dim(k);
            strides[d] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
    }
}
