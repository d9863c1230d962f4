using BenchmarkDotNet.Attributes;
using Rlx.Environments;
using Rlx.Environments.Vector;

namespace Rlx.Benchmarks;

/// <summary>
/// Per-step cost and allocation of CartPole stepping with random actions. Each benchmark performs
/// <see cref="StepsPerInvoke"/> env steps, so the reported time and allocation are per env step.
/// Allocated bytes must stay 0 (the hot path allocates nothing).
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // disposed in GlobalCleanup, as BenchmarkDotNet expects
public class EnvStepBenchmarks
{
    private const int StepsPerInvoke = 8192;
    private Env _single = null!;
    private float[] _observation = null!;
    private float[] _singleActions = null!;
    private VectorEnv _sync = null!;
    private VectorEnv _simd = null!;
    private float[] _syncActions = null!;
    private float[] _simdActions = null!;

    [GlobalSetup]
    public void Setup()
    {
        _single = Envs.Make("CartPole-v1");
        _observation = new float[4];
        _single.Reset(_observation, seed: 0);
        _singleActions = new float[StepsPerInvoke];
        new ActionSampler(_single.ActionSpace, 1).Fill(_singleActions);

        _sync = new SyncVectorEnv(_ => Envs.Make("CartPole-v1"), 8);
        _sync.Reset(seed: 0);
        _syncActions = new float[8];
        new ActionSampler(_sync.SingleActionSpace, 2).Fill(_syncActions);

        _simd = new CartPoleVectorEnv(1024);
        _simd.Reset(seed: 0);
        _simdActions = new float[1024];
        new ActionSampler(_simd.SingleActionSpace, 3).Fill(_simdActions);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single.Dispose();
        _sync.Dispose();
        _simd.Dispose();
    }

    [Benchmark(OperationsPerInvoke = StepsPerInvoke, Description = "CartPole-v1 single env")]
    public void SingleEnv()
    {
        for (int i = 0; i < StepsPerInvoke; i++)
        {
            if (_single.Step(_singleActions.AsSpan(i, 1), _observation).Done)
            {
                _single.Reset(_observation);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = StepsPerInvoke, Description = "SyncVectorEnv x 8")]
    public void SyncVector()
    {
        for (int i = 0; i < StepsPerInvoke / 8; i++)
        {
            _sync.Step(_syncActions);
        }
    }

    [Benchmark(OperationsPerInvoke = StepsPerInvoke, Description = "CartPoleVectorEnv x 1024 (SIMD)")]
    public void SimdVector()
    {
        for (int i = 0; i < StepsPerInvoke / 1024; i++)
        {
            _simd.Step(_simdActions);
        }
    }
}
#pragma warning restore CA1001
