using System.Collections.Concurrent;
using System.Reflection;
using Rlx.Spaces;
using Rlx.Text;

namespace Rlx.Nn;

/// <summary>What a model is asked to build: a network from observations to <see cref="Outputs"/> floats.</summary>
/// <param name="Name">Prefix of the parameters' names (<c>actor</c>, <c>critic</c>).</param>
/// <param name="ObservationSpace">The observations it reads, one flat element per row (a <see cref="Dict"/> or an image <see cref="Box"/> keeps its layout).</param>
/// <param name="Hidden">Hidden widths of the MLP, or of the layers after an encoder.</param>
/// <param name="Outputs">Floats per output row.</param>
/// <param name="Activation">Hidden activation of MLP layers.</param>
public sealed record NetworkRequest(string Name, Space ObservationSpace, IReadOnlyList<int> Hidden, int Outputs, Activation Activation);

/// <summary>Builds a network for a request; registered by model name with <see cref="Networks.Register"/>.</summary>
public delegate INetwork NetworkFactory(NetworkRequest request);

/// <summary>
/// The models a config's <c>model</c> key can name. <c>mlp</c> is the hand-written <see cref="Mlp"/> on the flat
/// observation; the convolutional encoders (<c>nature_cnn</c>, <c>impala_cnn</c>, <c>minatar_cnn</c>) and custom
/// networks come from Rlx.Torch, which registers itself the first time one of its names is asked for, and from
/// <see cref="Register"/>.
/// </summary>
public static class Networks
{
    /// <summary>The hand-written MLP.</summary>
    public const string Mlp = "mlp";

    private const string TorchModels = "Rlx.Torch.TorchModels, Rlx.Torch";
    private static readonly ConcurrentDictionary<string, NetworkFactory> Factories = new(StringComparer.Ordinal)
    {
        [Mlp] = r => new Mlp(r.Name, r.ObservationSpace.FlatSize, r.Hidden, r.Outputs, r.Activation),
    };

    private static int _torchProbed;

    /// <summary>The model names known now.</summary>
    public static IReadOnlyCollection<string> Names
    {
        get
        {
            ProbeTorch();
            return [.. Factories.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Registers (or replaces) the model <paramref name="model"/>.</summary>
    public static void Register(string model, NetworkFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[model] = factory;
    }

    /// <summary>True if <paramref name="model"/> names a registered model (loading Rlx.Torch's if it is deployed).</summary>
    public static bool IsKnown(string model)
    {
        if (Factories.ContainsKey(model))
        {
            return true;
        }

        ProbeTorch();
        return Factories.ContainsKey(model);
    }

    /// <summary>Builds the network <paramref name="model"/> names, or throws naming the known models.</summary>
    public static INetwork Create(string model, NetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsKnown(model))
        {
            string near = Suggest.Nearest(model, Factories.Keys) is { } n ? $" Did you mean '{n}'?" : string.Empty;
            throw new ArgumentException(
                $"Unknown model '{model}'.{near} Known: {string.Join(", ", Names)}." +
                (Type.GetType(TorchModels) is null ? " The convolutional and recurrent models come with Rlx.Torch: reference it next to Rlx." : string.Empty),
                nameof(model));
        }

        return Factories[model](request);
    }

    private static void ProbeTorch()
    {
        if (Interlocked.Exchange(ref _torchProbed, 1) == 0)
        {
            Type.GetType(TorchModels)?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static)?.Invoke(null, null);
        }
    }
}
