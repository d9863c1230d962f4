// Counts the tactics of a Connect Four checkpoint's greedy policy against one opponent: at each of its moves, whether it
// had a winning move and took it, or faced an immediate win of the opponent (and had none of its own) and blocked it.
// Usage: dotnet run bench/connect4/tactics.cs CHECKPOINT [GAMES=400] [OPPONENT=random]
#:project ../../src/Rlx.Algorithms/Rlx.Algorithms.csproj
#:project ../../src/Rlx.Torch/Rlx.Torch.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Environments.Classic;
using Rlx.Environments.MultiAgent;
using Rlx.Random;
using Rlx.Spaces;

if (args.Length is < 1 or > 3)
{
    Console.Error.WriteLine("usage: dotnet run bench/connect4/tactics.cs CHECKPOINT [GAMES=400] [OPPONENT=random]");
    return 2;
}

Rlx.Torch.TorchModels.Register();
using Algorithm algorithm = Algorithm.Restore(args[0]);
int games = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400;
string name = args.Length > 2 ? args[2] : "random";
IGamePlayer opponent = GamePlayers.Parse(name, "connect_four_v3") ?? throw new ArgumentException($"{name} is not a built-in player ({GamePlayers.Names}).");
using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
var probe = new TacticsProbe(new PolicyPlayer("policy", algorithm.SnapshotPolicy().Policy));
MatchResult result = Matches.Play(env, probe, opponent, games, seed: 1);
Console.WriteLine($"vs {name}: {result.Wins} wins, {result.Draws} draws, {result.Losses} losses over {result.Games} games");
Console.WriteLine($"  immediate wins: took {probe.WinsTaken} of {probe.WinsOffered} positions that had one");
Console.WriteLine($"  opponent's immediate win, none of its own: blocked {probe.Blocked} of {probe.Threats} single threats ({probe.DoubleThreats} double threats, unblockable)");
Console.WriteLine($"  quiet moves that put a piece under the opponent's winning cell: {probe.Under} of {probe.Quiet}");
return 0;

internal sealed class TacticsProbe(IGamePlayer inner) : IGamePlayer
{
    private const int Rows = 6, Columns = 7;
    private readonly int[] _board = new int[Rows * Columns];

    public string Name => inner.Name;

    public int WinsOffered { get; private set; }

    public int WinsTaken { get; private set; }

    public int Threats { get; private set; }

    public int Blocked { get; private set; }

    public int DoubleThreats { get; private set; }

    public int Quiet { get; private set; }

    public int Under { get; private set; }

    public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random)
    {
        ReadOnlySpan<float> planes = ((Dict)env.ObservationSpace(agent)).Slice(env.Observation(agent), "observation");
        for (int cell = 0; cell < _board.Length; cell++)
        {
            _board[cell] = planes[2 * cell] != 0f ? 1 : planes[(2 * cell) + 1] != 0f ? 2 : 0;
        }

        List<int> mine = WinningColumns(1), theirs = WinningColumns(2);
        inner.Act(env, agent, action, random);
        int move = (int)action[0];
        if (mine.Count > 0)
        {
            WinsOffered++;
            WinsTaken += mine.Contains(move) ? 1 : 0;
        }
        else if (theirs.Count > 1)
        {
            DoubleThreats++;
        }
        else if (theirs.Count == 1)
        {
            Threats++;
            Blocked += theirs[0] == move ? 1 : 0;
        }
        else
        {
            Quiet++;
            int row = Drop(move, 1);
            if (row > 0)
            {
                _board[((row - 1) * Columns) + move] = 2;
                Under += Completes(row - 1, move, 2) ? 1 : 0;
            }
        }
    }

    private List<int> WinningColumns(int piece)
    {
        var columns = new List<int>();
        for (int c = 0; c < Columns; c++)
        {
            int row = Drop(c, piece);
            if (row >= 0)
            {
                if (Completes(row, c, piece))
                {
                    columns.Add(c);
                }

                _board[(row * Columns) + c] = 0;
            }
        }

        return columns;
    }

    private int Drop(int column, int piece)
    {
        for (int r = Rows - 1; r >= 0; r--)
        {
            if (_board[(r * Columns) + column] == 0)
            {
                _board[(r * Columns) + column] = piece;
                return r;
            }
        }

        return -1;
    }

    // Whether the piece at (row, column) is part of four in a line.
    private bool Completes(int row, int column, int piece)
    {
        ReadOnlySpan<(int Dr, int Dc)> directions = [(0, 1), (1, 0), (1, 1), (1, -1)];
        foreach ((int dr, int dc) in directions)
        {
            int line = 1 + Run(row, column, dr, dc, piece) + Run(row, column, -dr, -dc, piece);
            if (line >= 4)
            {
                return true;
            }
        }

        return false;
    }

    private int Run(int row, int column, int dr, int dc, int piece)
    {
        int n = 0;
        for (int r = row + dr, c = column + dc; r is >= 0 and < Rows && c is >= 0 and < Columns && _board[(r * Columns) + c] == piece; r += dr, c += dc)
        {
            n++;
        }

        return n;
    }
}
