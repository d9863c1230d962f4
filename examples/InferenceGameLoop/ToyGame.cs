namespace InferenceGameLoop;

/// <summary>
/// Stands in for a game: it writes an observation of any size (smooth signals plus a little noise), takes any
/// action, and ends each episode after <see cref="EpisodeLength"/> frames. A real game fills the observation from
/// its state in the same flat encoding the policy was trained on.
/// </summary>
internal sealed class ToyGame
{
    public const int EpisodeLength = 25;

    private readonly Random _random;
    private int _frame;

    public ToyGame(int seed) => _random = new Random(seed);

    public void Reset(Span<float> observation)
    {
        _frame = 0;
        Observe(observation);
    }

    /// <summary>Applies the action and writes the next observation; true when the episode has ended.</summary>
    public bool Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        _frame++;
        Observe(observation);
        observation[0] += 0.1f * action[0];
        return _frame >= EpisodeLength;
    }

    private void Observe(Span<float> observation)
    {
        for (int i = 0; i < observation.Length; i++)
        {
            observation[i] = MathF.Sin((0.3f * _frame) + i) + (0.05f * (float)((_random.NextDouble() * 2) - 1));
        }
    }
}
