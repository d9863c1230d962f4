using System.Runtime.CompilerServices;
using Rlx.Nn;
using Rlx.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// Writes TorchSharp modules as ONNX nodes: Rlx's own encoders and recurrent cores, and any nn.Sequential of Linear,
/// Conv2d, MaxPool2d, Flatten, ReLU, Tanh and Sigmoid layers. Weights come from the networks' <see cref="Parameter"/>
/// arrays (the values training and checkpoints hold), looked up by the module's parameter names.
/// </summary>
internal sealed class TorchOnnx(OnnxGraph graph, Func<string, Parameter> parameter)
{
    public string Module(nn.Module<Tensor, Tensor> module, string path, string x)
    {
        switch (module)
        {
            case TorchSharp.Modules.Sequential sequential:
                foreach ((string name, nn.Module child) in sequential.named_children())
                {
                    x = Module(Child(child, path, name), Join(path, name), x);
                }

                return x;
            case TorchSharp.Modules.Linear:
                return graph.Linear(x, Weight(path, "weight"), Weight(path, "bias"), Hint(path, "linear"));
            case TorchSharp.Modules.ReLU:
                return graph.Node("Relu", Hint(path, "relu"), [x]);
            case TorchSharp.Modules.Tanh:
                return graph.Node("Tanh", Hint(path, "tanh"), [x]);
            case TorchSharp.Modules.Sigmoid:
                return graph.Node("Sigmoid", Hint(path, "sigmoid"), [x]);
            case TorchSharp.Modules.Flatten:
                return graph.Node("Flatten", Hint(path, "flatten"), [x], OnnxAttribute.Int("axis", 1));
            case TorchSharp.Modules.Conv2d conv:
                return Conv(conv, path, x);
            case TorchSharp.Modules.MaxPool2d pool:
                return graph.Node("MaxPool", Hint(path, "maxpool"), [x],
                    OnnxAttribute.Ints("kernel_shape", Pair(Property(pool, "kernel_size"), path)),
                    OnnxAttribute.Ints("strides", Pair(Property(pool, "stride") ?? Property(pool, "kernel_size"), path)),
                    OnnxAttribute.Ints("pads", Pads(Pair(Property(pool, "padding") ?? 0L, path))));
            case ImageFeatures features:
                return Image(features, path, x);
            case ResidualBlock block:
                string y = Conv(block.Conv0, Join(path, "conv0"), graph.Node("Relu", Hint(path, "relu0"), [x]));
                y = Conv(block.Conv1, Join(path, "conv1"), graph.Node("Relu", Hint(path, "relu1"), [y]));
                return graph.Node("Add", Hint(path, "residual"), [y, x]);
            default:
                throw new NotSupportedException(
                    $"The module '{path}' ({module.GetType().Name}) cannot be written as ONNX: export knows Rlx's models and nn.Sequential " +
                    "stacks of Linear, Conv2d, MaxPool2d, Flatten, ReLU, Tanh and Sigmoid.");
        }
    }

    public (string Output, string State) Recurrent(RecurrentModule module, string x, string state)
    {
        string features = Module(module.Encoder, "encoder", x);
        int cell = module.CellSize;
        string h = graph.Columns(state, 0, cell, "h");
        string prefix = module.IsLstm ? "lstm" : "gru";
        string input = graph.Linear(features, Weight(prefix, "weight_ih"), Weight(prefix, "bias_ih"), prefix + ".input_gates");
        string hidden = graph.Linear(h, Weight(prefix, "weight_hh"), Weight(prefix, "bias_hh"), prefix + ".hidden_gates");
        string Gate(string gates, int k, string name) => graph.Columns(gates, k * cell, (k + 1) * cell, name);
        string next, stateOut;
        if (module.IsLstm)
        {
            // torch's gate order: input, forget, cell, output.
            string c = graph.Columns(state, cell, 2 * cell, "c");
            string gates = graph.Node("Add", "lstm.gates", [input, hidden]);
            string i = graph.Node("Sigmoid", "lstm.i", [Gate(gates, 0, "lstm.i_pre")]);
            string f = graph.Node("Sigmoid", "lstm.f", [Gate(gates, 1, "lstm.f_pre")]);
            string g = graph.Node("Tanh", "lstm.g", [Gate(gates, 2, "lstm.g_pre")]);
            string o = graph.Node("Sigmoid", "lstm.o", [Gate(gates, 3, "lstm.o_pre")]);
            string c1 = graph.Node("Add", "lstm.c_next", [graph.Node("Mul", "lstm.fc", [f, c]), graph.Node("Mul", "lstm.ig", [i, g])]);
            next = graph.Node("Mul", "lstm.h_next", [o, graph.Node("Tanh", "lstm.tanh_c", [c1])]);
            stateOut = graph.Concat([next, c1], "lstm.state");
        }
        else
        {
            // torch's gate order: reset, update, new; h' = (1 − z)·n + z·h = n + z·(h − n).
            string r = graph.Node("Sigmoid", "gru.r", [graph.Node("Add", "gru.r_pre", [Gate(input, 0, "gru.ir"), Gate(hidden, 0, "gru.hr")])]);
            string z = graph.Node("Sigmoid", "gru.z", [graph.Node("Add", "gru.z_pre", [Gate(input, 1, "gru.iz"), Gate(hidden, 1, "gru.hz")])]);
            string n = graph.Node("Tanh", "gru.n", [graph.Node("Add", "gru.n_pre", [Gate(input, 2, "gru.in"), graph.Node("Mul", "gru.rh", [r, Gate(hidden, 2, "gru.hn")])])]);
            next = graph.Node("Add", "gru.h_next", [n, graph.Node("Mul", "gru.zd", [z, graph.Node("Sub", "gru.d", [h, n])])]);
            stateOut = next;
        }

        return (graph.Linear(next, Weight("head", "weight"), Weight("head", "bias"), "head"), stateOut);
    }

    private string Image(ImageFeatures features, string path, string x)
    {
        ImageLayout l = features.Layout;
        int size = l.Height * l.Width * l.Channels;
        string image = graph.Columns(x, l.Offset, l.Offset + size, Hint(path, "image"));
        image = graph.Node("Reshape", Hint(path, "hwc"), [image, graph.Int64s("image_shape", -1, l.Height, l.Width, l.Channels)]);
        image = graph.Node("Transpose", Hint(path, "chw"), [image], OnnxAttribute.Ints("perm", 0, 3, 1, 2));
        if (l.Scale != 1f)
        {
            image = graph.Node("Mul", Hint(path, "scaled"), [image, graph.Scalar("image_scale", l.Scale)]);
        }

        string result = Module(features.Encoder, Join(path, "encoder"), image);
        if (l.Extras.Length == 0)
        {
            return result;
        }

        return graph.Concat([result, .. l.Extras.Select(e => graph.Columns(x, e.Offset, e.Offset + e.Size, Hint(path, "extra")))], Hint(path, "features"));
    }

    private string Conv(nn.Module<Tensor, Tensor> conv, string path, string x)
    {
        if (Property(conv, "groups") is { } groups && Convert.ToInt64(groups, System.Globalization.CultureInfo.InvariantCulture) != 1)
        {
            throw new NotSupportedException($"The convolution '{path}' has groups; ONNX export writes ungrouped convolutions only.");
        }

        Parameter weight = parameter(Join(path, "weight"));
        var inputs = new List<string> { x, graph.Constant(weight.Name, weight.Value, weight.Shape) };
        if (TryParameter(Join(path, "bias")) is { } bias)
        {
            inputs.Add(graph.Constant(bias.Name, bias.Value, bias.Shape));
        }

        return graph.Node("Conv", Hint(path, "conv"), inputs,
            OnnxAttribute.Ints("kernel_shape", weight.Shape[2], weight.Shape[3]),
            OnnxAttribute.Ints("strides", Pair(Property(conv, "stride") ?? 1L, path)),
            OnnxAttribute.Ints("pads", Pads(Pair(Property(conv, "padding") ?? 0L, path))),
            OnnxAttribute.Ints("dilations", Pair(Property(conv, "dilation") ?? 1L, path)));
    }

    private string Weight(string path, string name)
    {
        Parameter p = parameter(Join(path, name));
        return graph.Constant(p.Name, p.Value, p.Shape);
    }

    private Parameter? TryParameter(string name)
    {
        try
        {
            return parameter(name);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    private static nn.Module<Tensor, Tensor> Child(nn.Module child, string path, string name) =>
        child as nn.Module<Tensor, Tensor> ?? throw new NotSupportedException($"The module '{Join(path, name)}' ({child.GetType().Name}) is not a tensor-to-tensor layer.");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Hint(string path, string op) => path.Length == 0 ? op : $"{path}.{op}";

    // TorchSharp keeps a layer's sizes as a number, an array or a tuple (nullable in places); ONNX wants two numbers.
    private static object? Property(object module, string name) => module.GetType().GetProperty(name)?.GetValue(module) ?? module.GetType().GetField(name)?.GetValue(module);

    private static long[] Pair(object? value, string path)
    {
        switch (value)
        {
            case long n:
                return [n, n];
            case int n:
                return [n, n];
            case long[] { Length: 2 } a:
                return a;
            case long[] { Length: 1 } a:
                return [a[0], a[0]];
            case ITuple { Length: 2 } t when t[0] is long a && t[1] is long b:
                return [a, b];
            default:
                throw new NotSupportedException($"The layer '{path}' has a size ({value ?? "null"}) that ONNX export does not understand; give explicit integer sizes.");
        }
    }

    private static long[] Pads(long[] pair) => [pair[0], pair[1], pair[0], pair[1]];
}
