using System.Reflection;
using Rlx.Text;

namespace Rlx.Environments;

/// <summary>
/// Maps environment ids to factories, as Gymnasium's registry and RLlib's <c>register_env</c>.
/// Thread-safe. <see cref="Make"/> builds the environment, checks its arguments and applies the
/// time limit.
/// </summary>
public sealed class EnvRegistry
{
    private readonly Dictionary<string, EnvSpec> _specs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<EnvKwargs, int, IReadOnlyList<Env>>> _batchFactories = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>All registered specs, ordered by id.</summary>
    public IReadOnlyList<EnvSpec> Specs
    {
        get
        {
            lock (_lock)
            {
                return _specs.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Registers (or replaces) an environment.</summary>
    public void Register(EnvSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Id);
        if (spec.MaxEpisodeSteps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.MaxEpisodeSteps, $"MaxEpisodeSteps of '{spec.Id}' must be at least 1 (or null for no limit).");
        }

        lock (_lock)
        {
            _specs[spec.Id] = spec;
            _batchFactories.Remove(spec.Id); // a replaced environment builds its instances one by one until it registers a batch factory
        }
    }

    /// <summary>Registers an environment built by <paramref name="factory"/>.</summary>
    public void Register(string id, Func<EnvKwargs, Env> factory, int? maxEpisodeSteps = null, double? rewardThreshold = null) =>
        Register(new EnvSpec(id, factory, maxEpisodeSteps, rewardThreshold));

    /// <summary>
    /// Registers every <see cref="Env"/> subclass in <paramref name="assembly"/> marked with <see cref="EnvIdAttribute"/>, and
    /// hands every marked <see cref="MultiAgent.MultiAgentEnv"/> subclass to <paramref name="multiAgent"/> (Rlx.Envs' <c>Envs.RegisterAssembly</c>
    /// registers them with <c>MultiAgentEnvs</c>); returns their ids.
    /// </summary>
    public IReadOnlyList<string> RegisterAssembly(Assembly assembly, Action<string, Func<EnvKwargs, MultiAgent.MultiAgentEnv>>? multiAgent = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var ids = new List<string>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            foreach (EnvIdAttribute attribute in type.GetCustomAttributes<EnvIdAttribute>())
            {
                if (typeof(MultiAgent.MultiAgentEnv).IsAssignableFrom(type))
                {
                    if (multiAgent is null)
                    {
                        throw new ArgumentException($"[EnvId(\"{attribute.Id}\")] is on the multi-agent environment {type.FullName}: load its assembly with Envs.RegisterAssembly (Rlx.Envs), which registers it with MultiAgentEnvs.");
                    }

                    multiAgent(attribute.Id, FactoryFor<MultiAgent.MultiAgentEnv>(type, attribute.Id));
                }
                else
                {
                    Register(new EnvSpec(
                        attribute.Id,
                        FactoryFor<Env>(type, attribute.Id),
                        attribute.MaxEpisodeSteps > 0 ? attribute.MaxEpisodeSteps : null,
                        double.IsNaN(attribute.RewardThreshold) ? null : attribute.RewardThreshold));
                }

                ids.Add(attribute.Id);
            }
        }

        return ids;
    }

    /// <summary>True if <paramref name="id"/> is registered.</summary>
    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _specs.ContainsKey(id);
        }
    }

    /// <summary>The spec registered under <paramref name="id"/>; unknown ids fail with the known ids and the nearest match.</summary>
    public EnvSpec Spec(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (_specs.TryGetValue(id, out EnvSpec? spec))
            {
                return spec;
            }

            throw new ArgumentException(
                $"No environment '{id}' is registered.{Suggest.DidYouMean(id, _specs.Keys)} Known ids: {KnownIds(_specs.Keys)}. "
                + "Register your own with Envs.Register, or mark it [EnvId(\"Name-v0\")] and load its assembly with --env-assembly.",
                nameof(id));
        }
    }

    // The ids for an error message: all of them when few; else families of several ids sharing a prefix (up to the
    // first '-' or '/') shown once with their count, so the message stays a few lines long.
    private static string KnownIds(IEnumerable<string> ids)
    {
        List<string> ordered = [.. ids.Order(StringComparer.Ordinal)];
        if (ordered.Count <= 20)
        {
            return string.Join(", ", ordered);
        }

        static string Family(string id) => id.IndexOfAny(['-', '/']) is int cut and > 0 ? id[..(cut + 1)] : id;
        var shown = new List<string>();
        foreach (IGrouping<string, string> family in ordered.GroupBy(Family))
        {
            shown.AddRange(family.Count() > 3 ? [$"{family.Key}… ({family.Count()} ids)"] : family);
        }

        return $"{string.Join(", ", shown)} (`rlx env list` lists all {ordered.Count})";
    }

    /// <summary>
    /// Builds <paramref name="id"/> with <paramref name="kwargs"/>, wrapped in <see cref="TimeLimit"/> of
    /// <paramref name="maxEpisodeSteps"/> (default: the spec's).
    /// </summary>
    public Env Make(string id, int? maxEpisodeSteps = null, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        EnvSpec spec = Spec(id);
        if (maxEpisodeSteps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), maxEpisodeSteps, "max_episode_steps must be at least 1.");
        }

        var arguments = new EnvKwargs(kwargs);
        Env env = spec.Factory(arguments);
        arguments.ThrowIfUnused(id);
        return Finish(env, spec, maxEpisodeSteps);
    }

    /// <summary>
    /// Registers how to build many instances of the already registered <paramref name="id"/> together,
    /// for environments whose instances share a resource (a simulator connection that steps them all in
    /// one message). <paramref name="factory"/> receives the arguments and the number of instances.
    /// </summary>
    public void RegisterBatch(string id, Func<EnvKwargs, int, IReadOnlyList<Env>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        EnvSpec spec = Spec(id);
        lock (_lock)
        {
            _batchFactories[spec.Id] = factory;
        }
    }

    /// <summary>
    /// Builds <paramref name="count"/> instances of <paramref name="id"/> for one vector environment, each
    /// wrapped as <see cref="Make"/> wraps: with the batch factory registered by <see cref="RegisterBatch"/>
    /// if there is one, else by calling <see cref="Make"/> <paramref name="count"/> times.
    /// </summary>
    public IReadOnlyList<Env> MakeMany(string id, int count, int? maxEpisodeSteps = null, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        EnvSpec spec = Spec(id);
        Func<EnvKwargs, int, IReadOnlyList<Env>>? batch;
        lock (_lock)
        {
            _batchFactories.TryGetValue(spec.Id, out batch);
        }

        if (batch is null)
        {
            return [.. Enumerable.Range(0, count).Select(_ => Make(id, maxEpisodeSteps, kwargs))];
        }

        if (maxEpisodeSteps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), maxEpisodeSteps, "max_episode_steps must be at least 1.");
        }

        var arguments = new EnvKwargs(kwargs);
        IReadOnlyList<Env> envs = batch(arguments, count);
        arguments.ThrowIfUnused(id);
        return [.. envs.Select(env => Finish(env, spec, maxEpisodeSteps))];
    }

    private static Env Finish(Env env, EnvSpec spec, int? maxEpisodeSteps)
    {
        env.Spec = spec;
        if ((maxEpisodeSteps ?? spec.MaxEpisodeSteps) is { } limit)
        {
            env = new TimeLimit(env, limit) { Spec = spec };
        }

        return env;
    }

    private static Func<EnvKwargs, T> FactoryFor<T>(Type type, string id)
        where T : class
    {
        if (!typeof(T).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new ArgumentException($"[EnvId(\"{id}\")] is on {type.FullName}, which is not a concrete Env or MultiAgentEnv subclass.");
        }

        if (type.GetConstructor([typeof(EnvKwargs)]) is { } withKwargs)
        {
            return kwargs => (T)withKwargs.Invoke(BindingFlags.DoNotWrapExceptions, null, [kwargs], null);
        }

        if (type.GetConstructor(Type.EmptyTypes) is { } parameterless)
        {
            return kwargs =>
            {
                kwargs.ThrowIfUnused(id);
                return (T)parameterless.Invoke(BindingFlags.DoNotWrapExceptions, null, [], null);
            };
        }

        throw new ArgumentException($"{type.FullName} ([EnvId(\"{id}\")]) needs a public constructor taking no arguments or an EnvKwargs.");
    }
}
