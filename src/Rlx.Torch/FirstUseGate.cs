namespace Rlx.Torch;

/// <summary>
/// libtorch builds its kernels for a shape (oneDNN primitives for convolutions) on the first call with that shape, and
/// two threads doing so at the same moment crashed it: a null write in oneDNN's brgemm convolution, in 7 of 400 fresh
/// processes where two threads ran their first board_cnn forward and backward together (bench/torch-first-use.sh).
/// Calls on kernels already built ran safely side by side, bit-identical to one thread. So each network's first call
/// of a kind at a batch size runs under one process-wide lock, and every later call runs freely: PPO's two gradient
/// threads, async runners, cluster runners and tuning trials each pay a lock once per shape.
/// </summary>
internal sealed class FirstUseGate
{
    private static readonly Lock s_building = new();
    private readonly HashSet<(int Batch, Pass Pass)> _used = [];

    /// <summary>The kinds of call that build different kernels.</summary>
    public enum Pass
    {
        Inference,
        Training,
        Backward,
        Step,
    }

    /// <summary>
    /// Takes the process-wide lock if this is the network's first call of <paramref name="pass"/> at
    /// <paramref name="batch"/>; pass the result to <see cref="Exit"/>. A network is used by one thread at a time.
    /// </summary>
    public bool Enter(int batch, Pass pass)
    {
        if (!_used.Add((batch, pass)))
        {
            return false;
        }

        s_building.Enter();
        return true;
    }

    /// <summary>Releases the lock if <see cref="Enter"/> took it.</summary>
    public static void Exit(bool entered)
    {
        if (entered)
        {
            s_building.Exit();
        }
    }
}
