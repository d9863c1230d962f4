using System.Diagnostics;
using System.Globalization;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Torch;
using TorchSharp;
using static TorchSharp.torch;

// The hand-written core against TorchSharp (libtorch) on the networks PPO trains: forward + backward of a
// minibatch, and batched inference as env runners do it. Each case runs for about a second, three rounds,
// alternating backends; the median time per call is reported. Usage: Rlx.TorchBench [threads]
// (Rlx.TorchBench first-use [raw]: see FirstUse.cs and bench/torch-first-use.sh.)
if (args is ["first-use", ..])
{
    Environment.ExitCode = FirstUse.Run(args);
    return;
}

int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
TorchRuntime.SetThreads(threads);
Console.WriteLine($"# {Environment.ProcessorCount} cores; libtorch threads {threads}; core MLP single-threaded; median µs per call over 3 rounds");
Console.WriteLine("case\tcore µs\ttorch µs\tcore speedup");

var cases = new List<(string Name, Func<Action>? Core, Func<Action> Torch)>
{
    Mlp("mlp 4-64-64-2 train b128", 4, [64, 64], 2, 128, train: true),
    Mlp("mlp 4-64-64-2 act b8", 4, [64, 64], 2, 8, train: false),
    Mlp("mlp 64-256-256-8 train b512", 64, [256, 256], 8, 512, train: true),
    Mlp("mlp 64-256-256-8 act b16", 64, [256, 256], 8, 16, train: false),
    ("nature-cnn 4x84x84 train b256", null, () => NatureCnn(256, train: true)),
    ("nature-cnn 4x84x84 act b16", null, () => NatureCnn(16, train: false)),
    ("minatar-cnn 10x10x4 train b256", null, () => MinAtarCnn(256, train: true)),
    ("lstm(128) in 64 train T128xB8", null, () => Lstm(128, 8, train: true)),
    ("lstm(128) in 64 act 1xB8", null, () => Lstm(1, 8, train: false)),
};

foreach (var (name, core, torchCase) in cases)
{
    Action? coreRun = core?.Invoke();
    Action torchRun = torchCase();
    var coreTimes = new List<double>();
    var torchTimes = new List<double>();
    for (int round = 0; round < 3; round++)
    {
        if (coreRun is not null)
        {
            coreTimes.Add(Time(coreRun));
        }

        torchTimes.Add(Time(torchRun));
    }

    double t = Median(torchTimes);
    string c = coreRun is null ? "-" : Median(coreTimes).ToString("F1", CultureInfo.InvariantCulture);
    string ratio = coreRun is null ? "-" : (t / Median(coreTimes)).ToString("F2", CultureInfo.InvariantCulture) + "x";
    Console.WriteLine($"{name}\t{c}\t{t.ToString("F1", CultureInfo.InvariantCulture)}\t{ratio}");
}

// Recurrent replay as PPO trains it: Rlx's LSTM network, forward and backward over steps × sequences, with episodes
// starting at random steps at the given rate, and with one start at every step (a different sequence each time). An
// LSTM of 64 units on 64 inputs (encoder 64), T 32 × B 8; then a MiniGrid minibatch as bench/models-learning.sh
// trains it (one-hot 7×7×20 view, encoder 64-64, LSTM 128, T 128 × B 4, episodes of 7 steps on average).
Console.WriteLine("case\tstarts\treplay µs\tone start per step µs");
TorchModels.Register();
foreach (var (label, steps, sequences, inputs, hiddens, cell, rate) in new[]
{
    ("lstm(64) in 64 T32xB8", 32, 8, 64, new[] { 64 }, 64, 0.0),
    ("lstm(64) in 64 T32xB8", 32, 8, 64, new[] { 64 }, 64, 0.03),
    ("lstm(64) in 64 T32xB8", 32, 8, 64, new[] { 64 }, 64, 0.1),
    ("lstm(128) in 980 T128xB4", 128, 4, 980, new[] { 64, 64 }, 128, 1.0 / 7),
})
{
    var net = (IRecurrentNetwork)Networks.Create("lstm", new NetworkRequest("n", new Rlx.Spaces.Box(-1f, 1f, inputs), hiddens, 7, Activation.Tanh, CellSize: cell));
    float[] x = Random(steps * sequences * inputs, 1), g = Random(steps * sequences * 7, 2), initial = new float[sequences * net.StateSize];
    float[] starts = new float[steps * sequences], everyStep = new float[steps * sequences];
    var draw = new Pcg64(3);
    for (int i = 0; i < starts.Length; i++)
    {
        starts[i] = draw.NextDouble() < rate ? 1f : 0f;
    }

    for (int t = 0; t < steps; t++)
    {
        everyStep[(t * sequences) + (t % sequences)] = 1f;
    }

    Action Replay(float[] episodeStarts) => () =>
    {
        net.SetSequences(sequences, steps, initial, episodeStarts);
        net.Forward(x, steps * sequences);
        net.Backward(g, steps * sequences);
        net.ZeroGrad();
    };

    var replay = new List<double>();
    var stepwise = new List<double>();
    for (int round = 0; round < 3; round++)
    {
        replay.Add(Time(Replay(starts)));
        stepwise.Add(Time(Replay(everyStep)));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}\t{rate:P0}\t{Median(replay):F1}\t{Median(stepwise):F1}"));
}

static double Time(Action run)
{
    for (int i = 0; i < 5; i++)
    {
        run();
    }

    var watch = Stopwatch.StartNew();
    int calls = 0;
    while (watch.Elapsed.TotalSeconds < 1.0)
    {
        run();
        calls++;
    }

    return watch.Elapsed.TotalMicroseconds / calls;
}

static double Median(List<double> xs)
{
    xs.Sort();
    return xs[xs.Count / 2];
}

static float[] Random(int n, ulong seed)
{
    var random = new Pcg64(seed);
    var xs = new float[n];
    for (int i = 0; i < n; i++)
    {
        xs[i] = (float)random.Uniform(-1, 1);
    }

    return xs;
}

static (string, Func<Action>?, Func<Action>) Mlp(string name, int inputs, int[] hidden, int outputs, int batch, bool train)
{
    float[] x = Random(batch * inputs, 1), g = Random(batch * outputs, 2);
    Func<Action> core = () =>
    {
        var mlp = new Rlx.Nn.Mlp("m", inputs, hidden, outputs, Activation.Tanh);
        var random = new Pcg64(3);
        foreach (Linear layer in mlp.Layers)
        {
            Init.PyTorchDefault(layer, random);
        }

        if (!train)
        {
            mlp.Freeze();
            return () => mlp.Forward(x, batch);
        }

        return () =>
        {
            mlp.Forward(x, batch);
            mlp.Backward(g, batch);
            mlp.ZeroGrad();
        };
    };
    Func<Action> torchCase = () =>
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int width = inputs;
        foreach (int h in hidden)
        {
            layers.Add(nn.Linear(width, h));
            layers.Add(nn.Tanh());
            width = h;
        }

        layers.Add(nn.Linear(width, outputs));
        var net = nn.Sequential(layers);
        return TorchStep(net, x, [batch, inputs], g, [batch, outputs], train);
    };
    return (name, core, torchCase);
}

static Action NatureCnn(int batch, bool train)
{
    var net = nn.Sequential(
        nn.Conv2d(4, 32, 8, stride: 4), nn.ReLU(),
        nn.Conv2d(32, 64, 4, stride: 2), nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride: 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 512), nn.ReLU(), nn.Linear(512, 7));
    return TorchStep(net, Random(batch * 4 * 84 * 84, 1), [batch, 4, 84, 84], Random(batch * 7, 2), [batch, 7], train);
}

static Action MinAtarCnn(int batch, bool train)
{
    var net = nn.Sequential(
        nn.Conv2d(4, 16, 3, stride: 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 7));
    return TorchStep(net, Random(batch * 4 * 10 * 10, 1), [batch, 4, 10, 10], Random(batch * 7, 2), [batch, 7], train);
}

static Action Lstm(int steps, int batch, bool train)
{
    var lstm = nn.LSTM(64, 128);
    float[] x = Random(steps * batch * 64, 1), g = Random(steps * batch * 128, 2);
    return () =>
    {
        using var scope = NewDisposeScope();
        using var mode = train ? null : no_grad();
        var input = tensor(x, [steps, batch, 64]);
        var (output, _, _) = lstm.forward(input);
        if (train)
        {
            output.backward([tensor(g, [steps, batch, 128])]);
            CopyGrads(lstm);
            lstm.zero_grad();
        }
        else
        {
            CopyOut(output);
        }
    };
}

static Action TorchStep(nn.Module<Tensor, Tensor> net, float[] x, long[] xShape, float[] g, long[] gShape, bool train)
{
    return () =>
    {
        using var scope = NewDisposeScope();
        using var mode = train ? null : no_grad();
        var output = net.forward(tensor(x, xShape));
        CopyOut(output);
        if (train)
        {
            output.backward([tensor(g, gShape)]);
            CopyGrads(net);
            net.zero_grad();
        }
    };
}

// The network interface hands outputs and parameter gradients back as float arrays: those copies are part of the cost.
static void CopyOut(Tensor output) => output.data<float>().ToArray();

static void CopyGrads(nn.Module module)
{
    foreach (var p in module.parameters())
    {
        p.grad!.data<float>().ToArray();
    }
}
