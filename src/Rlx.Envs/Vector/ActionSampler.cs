using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Rlx.Spaces;

namespace Rlx.Environments.Vector;

/// <summary>
/// Fills action batches with uniform random actions fast enough not to dominate a vectorised
/// environment's step (16 actions per SIMD instruction group, xorshift lanes). For throughput
/// measurement and random-policy rollouts, not for anything that must match numpy's streams; use
/// <see cref="Space.Sample"/> for those.
/// </summary>
public sealed class ActionSampler
{
    private const float Unit24 = 1f / (1 << 24);
    private readonly Space _space;
    private Vector512<uint> _state;

    /// <summary>Creates a sampler for actions of <paramref name="space"/>, seeded with <paramref name="seed"/>.</summary>
    public ActionSampler(Space space, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space is not (Discrete or Box))
        {
            throw new ArgumentException($"ActionSampler supports Discrete and Box action spaces, not {space}.", nameof(space));
        }

        _space = space;
        var seeder = new Rlx.Random.Pcg64(seed);
        Span<uint> lanes = stackalloc uint[16];
        for (int i = 0; i < 16; i++)
        {
            lanes[i] = seeder.NextUInt32() | 1u;
        }

        _state = Vector512.Create<uint>(lanes);
    }

    /// <summary>Writes <c>actions.Length / space.FlatSize</c> random actions.</summary>
    public void Fill(Span<float> actions)
    {
        if (actions.Length % _space.FlatSize != 0)
        {
            throw new ArgumentException($"Length {actions.Length} is not a multiple of the action size {_space.FlatSize}.", nameof(actions));
        }

        if (_space is Discrete discrete)
        {
            FillUniform(actions, discrete.N, discrete.Start, integer: true);
        }
        else
        {
            FillBox((Box)_space, actions);
        }
    }

    private void FillBox(Box box, Span<float> actions)
    {
        int size = box.FlatSize;
        if (size == 1 && box.IsBounded)
        {
            FillUniform(actions, box.High[0] - box.Low[0], box.Low[0], integer: false);
            return;
        }

        for (int i = 0; i < actions.Length; i += size)
        {
            box.Sample(actions.Slice(i, size));
        }
    }

    private void FillUniform(Span<float> destination, float scale, float offset, bool integer)
    {
        Vector512<float> multiplier = Vector512.Create(scale * Unit24);
        Vector512<float> largest = Vector512.Create(integer ? scale - 1 : scale);
        Vector512<float> shift = Vector512.Create(offset);
        ref float target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i + 16 <= destination.Length; i += 16)
        {
            Next(multiplier, largest, shift, integer).StoreUnsafe(ref target, (nuint)i);
        }

        if (i < destination.Length)
        {
            Vector512<float> last = Next(multiplier, largest, shift, integer);
            for (int lane = 0; i < destination.Length; i++, lane++)
            {
                destination[i] = last.GetElement(lane);
            }
        }
    }

    private Vector512<float> Next(Vector512<float> multiplier, Vector512<float> largest, Vector512<float> shift, bool integer)
    {
        Vector512<uint> x = _state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _state = x;
        Vector512<float> u = Vector512.ConvertToSingle(x >> 8) * multiplier;
        return Vector512.Min(integer ? Vector512.Floor(u) : u, largest) + shift;
    }
}
