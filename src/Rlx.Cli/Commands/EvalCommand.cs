using System.CommandLine;
using System.Globalization;
using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Environments.Classic;
using Rlx.Environments.MultiAgent;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx eval CHECKPOINT</c>: evaluate a trained policy deterministically.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A checkpoint directory, or a run directory (its latest checkpoint is used)" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run", DefaultValueFactory = _ => 100 };
        var render = new Option<bool>("--render") { Description = "Print the text rendering of the first episode" };
        var opponents = new Option<string[]>("--opponent")
        {
            Description = $"Multi-agent environments: play matches against this player ({GamePlayers.Names}, or a checkpoint or run directory); repeat for several. Default random",
            AllowMultipleArgumentsPerToken = false,
        };
        var games = new Option<int>("--games") { Description = "Multi-agent environments: games per opponent, half of them moving first", DefaultValueFactory = _ => 100 };
        var sample = new Option<bool>("--sample") { Description = "Multi-agent environments: sample the trained policy's moves instead of taking its greedy move" };
        var randomPlies = new Option<int>("--random-plies") { Description = "Multi-agent matches: the first N moves of every game are uniformly random, the same in both games of a pair (seats swapped), so that greedy players do not replay one game [default: 0]" };
        var ladder = new Option<bool>("--ladder") { Description = "Self-play runs: play a round robin of the checkpoint and every --opponent (--games per pair) and print Elo ratings, the first built-in player (else the checkpoint) at 0" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("eval", "Run a trained policy with greedy/mean actions and print mean ± std return; on multi-agent environments, play matches")
        {
            checkpoint, episodes, render, opponents, games, sample, randomPlies, ladder, assemblies,
        };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            int count = parsed.GetValue(episodes);
            if (count < 1)
            {
                throw new CliException($"--episodes must be at least 1 (got {count}).");
            }

            Algorithm algorithm = CheckpointArgument.Restore(parsed.GetRequiredValue(checkpoint), output);
            using (algorithm)
            {
                string[] against = parsed.GetValue(opponents) ?? [];
                int plies = parsed.GetValue(randomPlies);
                if (plies < 0)
                {
                    throw new CliException($"--random-plies must be 0 or more (got {plies}).");
                }

                if (algorithm.Config is PpoConfig { IsMultiAgent: true, SelfPlay: false })
                {
                    if (against.Length > 0)
                    {
                        throw new CliException($"--opponent plays matches in self-play runs; every agent of {algorithm.Config.Env} acts with the trained policy.");
                    }

                    PlayTeam(algorithm, count, output);
                    return 0;
                }

                if (parsed.GetValue(ladder))
                {
                    if (!algorithm.Config.IsMultiAgent || against.Length == 0)
                    {
                        throw new CliException("--ladder rates the checkpoint and at least one --opponent of a self-play run against each other.");
                    }

                    PlayLadder(algorithm, parsed.GetRequiredValue(checkpoint), against, parsed.GetValue(games), plies, output);
                    return 0;
                }

                if (algorithm.Config.IsMultiAgent)
                {
                    PlayMatches(algorithm, against.Length == 0 ? ["random"] : against, parsed.GetValue(games), parsed.GetValue(sample), plies, output);
                    return 0;
                }

                if (against.Length > 0)
                {
                    throw new CliException($"--opponent plays matches on multi-agent environments; {algorithm.Config.Env} is single-agent.");
                }

                if (parsed.GetValue(render))
                {
                    RenderEpisode(algorithm, output);
                }

                EvaluationResult result = algorithm.Evaluate(count);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"mean return {result.EpisodeReturnMean:F2} ± {result.EpisodeReturnStd:F2} over {result.Episodes} episodes (mean length {result.EpisodeLenMean:F1})"));
            }

            return 0;
        });
        return command;
    }

    private static void PlayMatches(Algorithm algorithm, string[] opponents, int games, bool sample, int randomPlies, TextWriter output)
    {
        if (games < 1)
        {
            throw new CliException($"--games must be at least 1 (got {games}).");
        }

        string envId = algorithm.Config.Env;
        using MultiAgentEnv env = MatchEnv(algorithm.Config);
        var trained = new PolicyPlayer("trained", algorithm.SnapshotPolicy().Policy, sample);
        string seats = env is TurnBasedEnv ? "moving first" : $"as {env.PossibleAgents[0]}";
        foreach (string name in opponents)
        {
            IGamePlayer opponent;
            Algorithm? other = null;
            try
            {
                opponent = GamePlayers.Parse(name, envId) ?? PolicyOf(name, envId, output, out other);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--opponent {name}: {e.Message}");
            }

            using (other)
            {
                MatchResult result = Matches.Play(env, trained, opponent, games, (ulong)algorithm.Config.Seed + 7_000_000, randomPlies);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"vs {name}: {result.Wins} wins, {result.Draws} draws, {result.Losses} losses over {result.Games} games ({(games + 1) / 2} {seats}); win rate {100.0 * result.Wins / result.Games:F1}%, score {result.Score:F3}"));
            }
        }
    }

    // Matches are played on the game itself: a board game's random openings are for training (--random-plies opens matches).
    private static MultiAgentEnv MatchEnv(AlgorithmConfig config) =>
        MultiAgentEnvs.Make(config.Env, config.EnvConfig.Where(p => p.Key != MultiAgentEnvs.RandomOpeningPlies).ToDictionary(StringComparer.Ordinal));

    // Every pair of the checkpoint and the opponents plays `games` games (half moving first); ratings by maximum likelihood.
    private static void PlayLadder(Algorithm algorithm, string path, string[] opponents, int games, int randomPlies, TextWriter output)
    {
        if (games < 1)
        {
            throw new CliException($"--games must be at least 1 (got {games}).");
        }

        string envId = algorithm.Config.Env;
        using MultiAgentEnv env = MatchEnv(algorithm.Config);
        var names = new List<string> { path };
        var players = new List<IGamePlayer> { new PolicyPlayer(path, algorithm.SnapshotPolicy().Policy) };
        var restored = new List<Algorithm>();
        try
        {
            foreach (string name in opponents)
            {
                try
                {
                    Algorithm? other = null;
                    players.Add(GamePlayers.Parse(name, envId) ?? PolicyOf(name, envId, output, out other));
                    if (other is not null)
                    {
                        restored.Add(other);
                    }
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"--opponent {name}: {e.Message}");
                }

                names.Add(name);
            }

            var results = new List<(int A, int B, double ScoreA, int Games)>();
            for (int a = 0; a < players.Count; a++)
            {
                for (int b = a + 1; b < players.Count; b++)
                {
                    MatchResult result = Matches.Play(env, players[a], players[b], games, (ulong)algorithm.Config.Seed + 7_000_000 + (ulong)results.Count, randomPlies);
                    results.Add((a, b, result.Score * result.Games, result.Games));
                }
            }

            int anchor = Math.Max(0, names.FindIndex(1, name => GamePlayers.Parse(name, envId) is not null));
            EloFit fit = Matches.EloRatings(players.Count, results, anchor);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ladder: {games} games per pair{(randomPlies > 0 ? $" opening with {randomPlies} random moves" : string.Empty)}, Elo with {names[anchor]} at 0 (± one standard error)"));
            int width = names.Max(n => n.Length);
            for (int i = 0; i < names.Count; i++)
            {
                double scored = results.Where(r => r.A == i).Sum(r => r.ScoreA) + results.Where(r => r.B == i).Sum(r => r.Games - r.ScoreA);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {names[i].PadRight(width)}  {fit.Ratings[i],7:F0} ± {fit.StandardError(i),-4:F0}  (score {scored / (games * (players.Count - 1)):F3})"));
            }

            // Checkpoints in the order given, each against the one before: what a run's snapshots gained.
            int[] checkpoints = [.. Enumerable.Range(0, names.Count).Where(i => i == 0 || GamePlayers.Parse(names[i], envId) is null)];
            if (checkpoints.Length > 1)
            {
                output.WriteLine("checkpoint against the one before it (± one standard error of the difference):");
                for (int k = 1; k < checkpoints.Length; k++)
                {
                    int now = checkpoints[k], before = checkpoints[k - 1];
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {names[now].PadRight(width)}  {fit.Ratings[now] - fit.Ratings[before],7:+0;-0;0} ± {fit.DifferenceError(now, before):F0}"));
                }
            }
        }
        finally
        {
            foreach (Algorithm other in restored)
            {
                other.Dispose();
            }
        }
    }

    // Every agent acts with its trained policy (greedy), then with uniformly random actions, on the same seeds. A run with
    // several policies also gets each policy's agents' mean return.
    private static void PlayTeam(Algorithm algorithm, int episodes, TextWriter output)
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make(algorithm.Config.Env, algorithm.Config.EnvConfig);
        PolicyMap? map = (algorithm as Ppo)?.PolicyMap;
        IGamePlayer trained = map is null
            ? new PolicyPlayer("trained policy", algorithm.SnapshotPolicy().Policy)
            : new TeamPlayer("trained policies", [.. map.AgentPolicies.Select(k => new PolicyPlayer(map.Ids[k], algorithm.SnapshotPolicy(map.Ids[k]).Policy))]);
        foreach (IGamePlayer player in new IGamePlayer[] { trained, new RandomPlayer() })
        {
            IReadOnlyList<double> returns = Matches.PlayTeam(env, player, episodes, algorithm.Config.Seed + 1_000_000);
            double mean = returns.Average(), std = Math.Sqrt(returns.Average(r => (r - mean) * (r - mean)));
            string perPolicy = map is null ? string.Empty : " (" + string.Join(", ", map.Ids.Select((id, k) =>
                string.Create(CultureInfo.InvariantCulture, $"{id} {returns.Where((_, i) => map.AgentPolicies[i % env.AgentCount] == k).Average():F2}"))) + ")";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(player is RandomPlayer ? "random actions" : player.Name)}: mean return per agent {mean:F2} ± {std:F2} over {episodes} episodes × {env.AgentCount} agents{perPolicy}"));
        }
    }

    private static PolicyPlayer PolicyOf(string path, string envId, TextWriter output, out Algorithm? algorithm)
    {
        if (!Directory.Exists(path))
        {
            throw new CliException($"--opponent {path}: not a player ({GamePlayers.Names}) and not a checkpoint or run directory.");
        }

        algorithm = CheckpointArgument.Restore(path, output);
        if (algorithm.Config.Env != envId)
        {
            throw new CliException($"--opponent {path} was trained on {algorithm.Config.Env}, not {envId}.");
        }

        return new PolicyPlayer(path, algorithm.SnapshotPolicy().Policy);
    }

    private static void RenderEpisode(Algorithm algorithm, TextWriter output)
    {
        using Env env = algorithm.MakeEnv();
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        env.Reset(observation, seed: 2_000_000);
        output.WriteLine(env.Render());
        StepResult step;
        double total = 0;
        do
        {
            algorithm.ComputeAction(observation, action);
            step = env.Step(action, observation);
            total += step.Reward;
            output.WriteLine(env.Render());
        }
        while (!step.Done);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rendered episode: return {total:F2}"));
    }
}
