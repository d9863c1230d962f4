namespace Rlx.Environments.Wrappers;

/// <summary>A finished episode's statistics (Gymnasium's <c>info["episode"]</c>: <c>r</c>, <c>l</c>, <c>t</c>).</summary>
/// <param name="Return">Sum of the episode's (unwrapped-side) rewards.</param>
/// <param name="Length">Number of steps.</param>
/// <param name="Seconds">Wall-clock duration.</param>
/// <param name="Opponent">In self-play, the snapshot id of the opponent the episode was played against; −1 otherwise.</param>
/// <param name="Agent">In a multi-agent environment, the index of the agent (in <c>possible_agents</c> order) whose episode this is; −1 otherwise.</param>
/// <param name="Policy">In a multi-agent environment, the index of the trained policy that played it (0 when there is one).</param>
public sealed record EpisodeStatistics(double Return, long Length, double Seconds, long Opponent = -1, int Agent = -1, int Policy = 0);
