using System.Globalization;
using Rlx.Algorithms;
using Rlx.Policies;
using Rlx.Spaces;
using Rlx.Torch;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// One process's worth of PPO's first minibatches on a board_cnn policy (libtorch convolutions), as a training run
/// starts them: <c>first-use [raw]</c>. Through <see cref="PpoShardedGradient"/> as PPO runs it, 20 minibatches whose
/// gradients must equal the one-thread gradient bit for bit (else exit code 3); with "raw", libtorch alone (TorchSharp
/// modules, past Rlx's networks): two threads run their first forward and backward of the same shape at the same
/// moment. A crash shows as the process dying; bench/torch-first-use.sh counts both.
/// </summary>
internal static class FirstUse
{
    private const int Batch = 256, ObservationSize = 6 * 7 * 2;

    private static nn.Module<Tensor, Tensor> BoardCnn(int outputs) =>
        nn.Sequential(nn.Conv2d(2, 64, 4), nn.ReLU(), nn.Flatten(), nn.Linear(64 * 3 * 4, 128), nn.ReLU(), nn.Linear(128, outputs));

    public static int Run(string[] args)
    {
        bool raw = args.Length > 1 && args[1] == "raw";
        TorchModels.Register();
        var policy = new ActorCriticPolicy(new Box(0f, 1f, 6, 7, 2), new Discrete(7), [128], Rlx.Nn.Activation.Tanh, model: TorchModels.BoardCnn);
        var random = new System.Random(1);
        float[] obs = [.. Enumerable.Range(0, Batch * ObservationSize).Select(_ => (float)random.Next(2))];
        float[] actions = [.. Enumerable.Range(0, Batch).Select(_ => (float)random.Next(7))];
        float[] oldLogProb = [.. Enumerable.Repeat(-1.9f, Batch)];
        float[] advantages = [.. Enumerable.Range(0, Batch).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] returns = [.. Enumerable.Range(0, Batch).Select(_ => (float)random.NextDouble())];
        float[] oldValues = new float[Batch];
        var settings = new PpoLossSettings();

        if (raw)
        {
            // libtorch alone, past Rlx's networks but set up as they run: one libtorch thread per calling thread, the
            // NHWC observation permuted to NCHW, an actor and a critic of board_cnn's shape (conv 64 4×4 on 2×6×7, dense
            // 128) on each of two fresh threads, whose first forward and backward start at the same moment.
            using var barrier = new Barrier(2);
            var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                torch.set_num_threads(1);
                using var actor = BoardCnn(7);
                using var critic = BoardCnn(1);
                using var scope = torch.NewDisposeScope();
                Tensor input = torch.rand(Batch / 2, ObservationSize).requires_grad_(true);
                Tensor image = input.reshape(Batch / 2, 6, 7, 2).permute(0, 3, 1, 2);
                barrier.SignalAndWait();
                (actor.forward(image).sum() + critic.forward(image).sum()).backward();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Console.WriteLine("ok");
            return 0;
        }

        // As PPO runs it: the first minibatches of a fresh process, then the same gradient on one thread to compare.
        var gradients = new List<float[][]>();
        bool second;
        using (var gradient = new PpoShardedGradient(policy, shards: 2, threaded: true))
        {
            for (int call = 0; call < 20; call++)
            {
                gradient.Compute(Batch, obs, actions, oldLogProb, advantages, returns, oldValues, settings);
                gradients.Add([.. policy.Parameters.Select(p => (float[])p.Grad.Clone())]);
            }

            second = gradient.UsesSecondThread;
        }

        using (var serial = new PpoShardedGradient(policy, shards: 2, threaded: false))
        {
            serial.Compute(Batch, obs, actions, oldLogProb, advantages, returns, oldValues, settings);
        }

        foreach (float[][] got in gradients)
        {
            for (int p = 0; p < got.Length; p++)
            {
                if (!got[p].AsSpan().SequenceEqual(policy.Parameters[p].Grad))
                {
                    Console.WriteLine("a gradient computed on two threads differs from the one-thread gradient");
                    return 3;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok (second thread in use after 20 calls: {second})"));
        return 0;
    }
}
