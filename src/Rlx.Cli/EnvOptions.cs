using System.CommandLine;
using System.Reflection;
using Rlx.Environments;

namespace Rlx.Cli;

/// <summary>Options shared by every command that makes an environment: arguments, time limit, user assemblies.</summary>
internal sealed class EnvOptions
{
    public Option<string[]> EnvArgs { get; } = new("--env-arg")
    {
        Description = "Environment constructor argument KEY=VALUE (repeatable), e.g. --env-arg g=9.81",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int?> MaxEpisodeSteps { get; } = new("--max-episode-steps")
    {
        Description = "Override the registered time limit",
    };

    public Option<string[]> Assemblies { get; } = new("--env-assembly")
    {
        Description = "Load environments marked [EnvId] from this .dll (repeatable)",
    };

    public void AddTo(Command command)
    {
        command.Add(EnvArgs);
        command.Add(MaxEpisodeSteps);
        command.Add(Assemblies);
    }

    /// <summary>Loads user assemblies, then returns the kwargs and time limit to pass to <see cref="Envs.Make"/>.</summary>
    public (IReadOnlyDictionary<string, object?> Kwargs, int? MaxEpisodeSteps) Resolve(ParseResult parsed)
    {
        foreach (string path in parsed.GetValue(Assemblies) ?? [])
        {
            LoadAssembly(path);
        }

        return (ParseKeyValues(parsed.GetValue(EnvArgs) ?? [], "--env-arg"), parsed.GetValue(MaxEpisodeSteps));
    }

    public static IReadOnlyList<string> LoadAssembly(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliException($"--env-assembly {path}: file not found. Build your environment project and pass the path of its .dll.");
        }

        IReadOnlyList<string> ids = Envs.RegisterAssembly(Assembly.LoadFrom(full));
        if (ids.Count == 0)
        {
            throw new CliException($"--env-assembly {path}: no public Env or MultiAgentEnv subclass marked [EnvId(\"Name-v0\")] found.");
        }

        return ids;
    }

    public static Dictionary<string, object?> ParseKeyValues(IEnumerable<string> pairs, string optionName)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"{optionName} '{pair}' must have the form KEY=VALUE.");
            }

            values[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        return values;
    }
}
