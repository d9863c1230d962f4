using Rlx.Nn;
using Rlx.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// The convolutional models a config's <c>model</c> key can name, on image observations: a <see cref="Box"/> of shape
/// <c>[H, W, C]</c> (Gymnasium's and MinAtar's layout), or a <see cref="Dict"/> with exactly one such entry whose
/// other entries (vectors, a direction, an action mask) join the image features before the output layer. Images whose
/// box tops out above 1 are scaled into [0, 1] by that bound (255 for pixels). Each encoder ends in its own dense layer,
/// so the config's <c>hiddens</c> do not apply.
/// <list type="bullet">
/// <item><c>nature_cnn</c>: Mnih et al. (2015) — conv 32 8×8/4, 64 4×4/2, 64 3×3/1, dense 512 (CleanRL's Atari PPO).</item>
/// <item><c>impala_cnn</c>: Espeholt et al. (2018) — three stacks (16, 32, 32 channels) of conv 3×3, max-pool 3×3/2 and two residual blocks, dense 256.</item>
/// <item><c>minatar_cnn</c>: Young and Tian (2019) — conv 16 3×3/1, dense 128, for 10×10 MinAtar frames.</item>
/// <item><c>board_cnn</c>: conv 64 4×4/1, dense 128, for board games where four in a line wins (Connect Four): every line of four
/// cells lies inside one of the filters' windows, so each filter can learn a threat wherever it stands on the board.</item>
/// </list>
/// The recurrent models — <c>lstm</c>, <c>gru</c> (an MLP encoder of the config's <c>hiddens</c>), and <c>nature_cnn_lstm</c>,
/// <c>impala_cnn_gru</c> and so on (a CNN encoder) — feed the encoder's features through an LSTM or GRU cell of
/// <c>lstm_cell_size</c> units before the output layer.
/// <see cref="Register"/> runs by itself the first time a config names one of them.
/// </summary>
public static class TorchModels
{
    /// <summary>The Nature CNN.</summary>
    public const string NatureCnn = "nature_cnn";

    /// <summary>The IMPALA ResNet encoder.</summary>
    public const string ImpalaCnn = "impala_cnn";

    /// <summary>The MinAtar network.</summary>
    public const string MinAtarCnn = "minatar_cnn";

    /// <summary>A small CNN for board games of four in a line.</summary>
    public const string BoardCnn = "board_cnn";

    /// <summary>An MLP encoder (the config's <c>hiddens</c>) and an LSTM core of <c>lstm_cell_size</c> units; <c>{cnn}_lstm</c> puts a CNN before it.</summary>
    public const string Lstm = "lstm";

    /// <summary>As <see cref="Lstm"/> with a GRU core.</summary>
    public const string Gru = "gru";

    /// <summary>Registers the models with <see cref="Networks"/>.</summary>
    public static void Register()
    {
        Networks.Register(NatureCnn, r => Build(r, NatureCnn));
        Networks.Register(ImpalaCnn, r => Build(r, ImpalaCnn));
        Networks.Register(MinAtarCnn, r => Build(r, MinAtarCnn));
        Networks.Register(BoardCnn, r => Build(r, BoardCnn));
        Networks.Register(Lstm, r => BuildRecurrent(r, Networks.Mlp, lstm: true));
        Networks.Register(Gru, r => BuildRecurrent(r, Networks.Mlp, lstm: false));
        foreach (string cnn in new[] { NatureCnn, ImpalaCnn, MinAtarCnn, BoardCnn })
        {
            Networks.Register($"{cnn}_{Lstm}", r => BuildRecurrent(r, cnn, lstm: true));
            Networks.Register($"{cnn}_{Gru}", r => BuildRecurrent(r, cnn, lstm: false));
        }
    }

    /// <summary>
    /// Wraps a module of the user's own as a network for <paramref name="request"/>: it must map <c>[batch, observation floats]</c>
    /// to <c>[batch, request.Outputs]</c>. Autograd differentiates it; <paramref name="extraLoss"/> (input, output → scalar) adds a
    /// term of the user's to whatever loss the algorithm minimises. Register it under a name for configs to use:
    /// <c>Networks.Register("my_net", r =&gt; TorchModels.Custom(r, new MyNet(r.ObservationSpace.FlatSize, r.Outputs)))</c>.
    /// </summary>
    public static INetwork Custom(NetworkRequest request, nn.Module<Tensor, Tensor> module, Func<Tensor, Tensor, Tensor>? extraLoss = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new TorchNetwork(request.Name, module, request.ObservationSpace.FlatSize, request.Outputs, extraLoss);
    }

    private static TorchNetwork Build(NetworkRequest request, string model)
    {
        TorchRuntime.EnsureReady();
        var features = new ImageFeatures(model, ImageLayout.Of(request.ObservationSpace, model));
        var module = nn.Sequential(("encoder", features), ("head", nn.Linear(features.Features, request.Outputs)));
        return new TorchNetwork(request.Name, module, request.ObservationSpace.FlatSize, request.Outputs);
    }

    private static TorchRecurrentNetwork BuildRecurrent(NetworkRequest request, string encoder, bool lstm)
    {
        TorchRuntime.EnsureReady();
        nn.Module<Tensor, Tensor> features;
        int width;
        if (encoder == Networks.Mlp)
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            width = request.ObservationSpace.FlatSize;
            for (int i = 0; i < request.Hidden.Count; i++)
            {
                layers.Add(($"{2 * i}", nn.Linear(width, request.Hidden[i])));
                layers.Add(($"{(2 * i) + 1}", request.Activation == Activation.Tanh ? nn.Tanh() : nn.ReLU()));
                width = request.Hidden[i];
            }

            features = nn.Sequential(layers);
        }
        else
        {
            var image = new ImageFeatures(encoder, ImageLayout.Of(request.ObservationSpace, encoder));
            (features, width) = (image, image.Features);
        }

        var module = new RecurrentModule(features, width, request.CellSize, lstm, request.Outputs);
        return new TorchRecurrentNetwork(request.Name, module, request.ObservationSpace.FlatSize, request.Outputs);
    }
}

/// <summary>Where the image sits in a flat observation, its shape, its scale, and the flat extras next to it.</summary>
internal sealed record ImageLayout(int Offset, int Height, int Width, int Channels, float Scale, (int Offset, int Size)[] Extras)
{
    public int ExtraSize => Extras.Sum(e => e.Size);

    public static ImageLayout Of(Space space, string model)
    {
        switch (space)
        {
            case Box box when box.Shape.Count == 3:
                return new ImageLayout(0, box.Shape[0], box.Shape[1], box.Shape[2], ScaleOf(box), []);
            case Dict dict:
                var images = dict.Entries.Where(e => e.Value is Box { Shape.Count: 3 }).ToList();
                if (images.Count != 1)
                {
                    throw new ArgumentException(
                        $"Model '{model}' needs exactly one image entry (a Box of shape [H, W, C]) in the Dict observation, found {images.Count}: {dict}.");
                }

                var image = (Box)images[0].Value;
                var extras = dict.Entries.Where(e => e.Key != images[0].Key).Select(e => (dict.OffsetOf(e.Key), e.Value.FlatSize)).ToArray();
                return new ImageLayout(dict.OffsetOf(images[0].Key), image.Shape[0], image.Shape[1], image.Shape[2], ScaleOf(image), extras);
            default:
                throw new ArgumentException(
                    $"Model '{model}' reads images: the observation space must be a Box of shape [H, W, C] or a Dict with one, not {space}. Use model=mlp for flat observations.");
        }
    }

    private static float ScaleOf(Box box)
    {
        float top = 0;
        foreach (float h in box.High)
        {
            top = Math.Max(top, h);
        }

        return float.IsFinite(top) && top > 1 ? 1f / top : 1f;
    }
}

/// <summary>Image encoder with the flat extras concatenated to its features.</summary>
internal sealed class ImageFeatures : nn.Module<Tensor, Tensor>
{
    private readonly ImageLayout _layout;
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly Tensor? _scale;

    public ImageFeatures(string model, ImageLayout layout)
        : base(model)
    {
        _layout = layout;
        (encoder, int features) = model switch
        {
            TorchModels.NatureCnn => Nature(layout),
            TorchModels.ImpalaCnn => Impala(layout),
            TorchModels.BoardCnn => Board(layout),
            _ => MinAtar(layout),
        };
        Features = features + layout.ExtraSize;
        RegisterComponents();
        // A 0-dim tensor rather than an implicit float Scalar per call (see RecurrentModule.SetSequences).
        _scale = layout.Scale != 1f ? torch.tensor(layout.Scale).DetachFromDisposeScope() : null;
    }

    /// <summary>Floats per row this module outputs.</summary>
    public int Features { get; }

    /// <summary>Where the image sits in the observation.</summary>
    public ImageLayout Layout => _layout;

    /// <summary>The convolutional stack.</summary>
    public nn.Module<Tensor, Tensor> Encoder => encoder;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0];
        ImageLayout l = _layout;
        Tensor image = input.narrow(1, l.Offset, l.Height * l.Width * l.Channels).reshape(batch, l.Height, l.Width, l.Channels).permute(0, 3, 1, 2);
        if (l.Scale != 1f)
        {
            image = image * _scale!;
        }

        Tensor features = encoder.forward(image);
        if (l.Extras.Length > 0)
        {
            features = torch.cat([features, .. l.Extras.Select(e => input.narrow(1, e.Offset, e.Size))], 1);
        }

        return features.MoveToOuterDisposeScope();
    }

    private static (nn.Module<Tensor, Tensor>, int) Nature(ImageLayout l)
    {
        int h = Conv(Conv(Conv(l.Height, 8, 4), 4, 2), 3, 1), w = Conv(Conv(Conv(l.Width, 8, 4), 4, 2), 3, 1);
        CheckSize(h, w, l, TorchModels.NatureCnn, "36×36");
        return (nn.Sequential(
            nn.Conv2d(l.Channels, 32, 8, stride: 4), nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride: 2), nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride: 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * h * w, 512), nn.ReLU()), 512);
    }

    private static (nn.Module<Tensor, Tensor>, int) MinAtar(ImageLayout l)
    {
        int h = Conv(l.Height, 3, 1), w = Conv(l.Width, 3, 1);
        CheckSize(h, w, l, TorchModels.MinAtarCnn, "3×3");
        return (nn.Sequential(nn.Conv2d(l.Channels, 16, 3, stride: 1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * h * w, 128), nn.ReLU()), 128);
    }

    private static (nn.Module<Tensor, Tensor>, int) Board(ImageLayout l)
    {
        int h = Conv(l.Height, 4, 1), w = Conv(l.Width, 4, 1);
        CheckSize(h, w, l, TorchModels.BoardCnn, "4×4");
        return (nn.Sequential(nn.Conv2d(l.Channels, 64, 4, stride: 1), nn.ReLU(), nn.Flatten(), nn.Linear(64 * h * w, 128), nn.ReLU()), 128);
    }

    private static (nn.Module<Tensor, Tensor>, int) Impala(ImageLayout l)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int channels = l.Channels, h = l.Height, w = l.Width;
        foreach (int depth in new[] { 16, 32, 32 })
        {
            layers.Add(nn.Conv2d(channels, depth, 3, padding: 1));
            layers.Add(nn.MaxPool2d(3, stride: 2, padding: 1));
            layers.Add(new ResidualBlock(depth));
            layers.Add(new ResidualBlock(depth));
            channels = depth;
            h = ((h + 1) / 2);
            w = ((w + 1) / 2);
        }

        layers.Add(nn.ReLU());
        layers.Add(nn.Flatten());
        layers.Add(nn.Linear(channels * h * w, 256));
        layers.Add(nn.ReLU());
        return (nn.Sequential(layers), 256);
    }

    private static int Conv(int size, int kernel, int stride) => ((size - kernel) / stride) + 1;

    private static void CheckSize(int h, int w, ImageLayout l, string model, string smallest)
    {
        if (h < 1 || w < 1)
        {
            throw new ArgumentException($"Model '{model}' needs images of at least {smallest}; these are {l.Height}×{l.Width}.");
        }
    }
}

/// <summary>relu → conv 3×3 → relu → conv 3×3, plus the input.</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv0;
    private readonly nn.Module<Tensor, Tensor> conv1;

    public ResidualBlock(int channels)
        : base("residual")
    {
        conv0 = nn.Conv2d(channels, channels, 3, padding: 1);
        conv1 = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor> Conv0 => conv0;

    public nn.Module<Tensor, Tensor> Conv1 => conv1;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = conv1.forward(nn.functional.relu(conv0.forward(nn.functional.relu(input))));
        return (x + input).MoveToOuterDisposeScope();
    }
}
