namespace Rlx.Algorithms;

/// <summary>
/// Turns each environment's 1-step transitions into n-step ones before they enter the replay buffer:
/// reward <c>Σᵢ γⁱ rᵢ</c>, the observation n steps later, discount <c>γⁿ</c>. When an episode ends early
/// the pending transitions are flushed with the shorter horizon (terminated ones without bootstrap).
/// With n = 1 transitions pass straight through with discount γ.
/// </summary>
internal sealed class NStepAccumulator
{
    private readonly int _n, _obsSize;
    private readonly double _gamma;
    private readonly float[][] _obs, _actions, _rewards;
    private readonly int[] _count, _start;

    public NStepAccumulator(int envs, int observationSize, int n, double gamma)
    {
        (_n, _obsSize, _gamma) = (n, observationSize, gamma);
        _obs = Enumerable.Range(0, envs).Select(_ => new float[n * observationSize]).ToArray();
        _actions = Enumerable.Range(0, envs).Select(_ => new float[n]).ToArray();
        _rewards = Enumerable.Range(0, envs).Select(_ => new float[n]).ToArray();
        _count = new int[envs];
        _start = new int[envs];
    }

    public void Add(int env, ReadOnlySpan<float> observation, float action, float reward, ReadOnlySpan<float> next, bool terminated, bool truncated, ReplayBuffer buffer)
    {
        int slot = (_start[env] + _count[env]) % _n;
        observation.CopyTo(_obs[env].AsSpan(slot * _obsSize, _obsSize));
        _actions[env][slot] = action;
        _rewards[env][slot] = reward;
        _count[env]++;
        if (_count[env] == _n)
        {
            Emit(env, next, terminated, buffer);
        }

        if (terminated || truncated)
        {
            while (_count[env] > 0)
            {
                Emit(env, next, terminated, buffer);
            }

            _start[env] = 0;
        }
    }

    /// <summary>Writes the pending transitions (for checkpoints).</summary>
    public void Write(BinaryWriter writer)
    {
        for (int e = 0; e < _count.Length; e++)
        {
            writer.Write(_count[e]);
            writer.Write(_start[e]);
            foreach (float v in _obs[e])
            {
                writer.Write(v);
            }

            for (int i = 0; i < _n; i++)
            {
                writer.Write(_actions[e][i]);
                writer.Write(_rewards[e][i]);
            }
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public void Read(BinaryReader reader)
    {
        for (int e = 0; e < _count.Length; e++)
        {
            _count[e] = reader.ReadInt32();
            _start[e] = reader.ReadInt32();
            for (int i = 0; i < _obs[e].Length; i++)
            {
                _obs[e][i] = reader.ReadSingle();
            }

            for (int i = 0; i < _n; i++)
            {
                _actions[e][i] = reader.ReadSingle();
                _rewards[e][i] = reader.ReadSingle();
            }
        }
    }

    private void Emit(int env, ReadOnlySpan<float> next, bool terminated, ReplayBuffer buffer)
    {
        int first = _start[env], count = _count[env];
        double ret = 0, discount = 1;
        for (int i = 0; i < count; i++)
        {
            ret += discount * _rewards[env][(first + i) % _n];
            discount *= _gamma;
        }

        buffer.Add(_obs[env].AsSpan(first * _obsSize, _obsSize), _actions[env].AsSpan(first, 1), (float)ret, next, terminated, (float)discount);
        _start[env] = (first + 1) % _n;
        _count[env]--;
    }
}
