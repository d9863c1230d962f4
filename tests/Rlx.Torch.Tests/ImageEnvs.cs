using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Torch.Tests;

/// <summary>
/// One lit cell in a 5×5 image (channel 0), in column 0, 1, 3 or 4; channel 1 is noise. Action 0 is right when the cell
/// is left of the middle, 1 when it is right of it; reward 1 for the right answer, 0 otherwise; one step per episode.
/// Only a network that reads the image's layout can beat 0.5.
/// </summary>
public sealed class LitSide : Env
{
    private readonly Space _actions = new Discrete(2);
    private readonly Space _observations = new Box(0f, 1f, 5, 5, 2);
    private int _column;

    public override Space ObservationSpace => _observations;

    public override Space ActionSpace => _actions;

    public static void Register() => Envs.Register("LitSide-v0", _ => new LitSide(), maxEpisodeSteps: 1);

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        observation.Clear();
        _column = (int)NpRandom.Integers(0, 4);
        _column = _column >= 2 ? _column + 1 : _column;
        int row = (int)NpRandom.Integers(0, 5);
        observation[((row * 5) + _column) * 2] = 1f;
        for (int cell = 0; cell < 25; cell++)
        {
            observation[(cell * 2) + 1] = (float)NpRandom.NextDouble();
        }
    }

    protected override void WriteCoreState(BinaryWriter writer) => writer.Write(_column);

    protected override void ReadCoreState(BinaryReader reader) => _column = reader.ReadInt32();

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        bool right = (action[0] == 1f) == (_column > 2);
        return new StepResult(right ? 1.0 : 0.0, true, false);
    }
}
