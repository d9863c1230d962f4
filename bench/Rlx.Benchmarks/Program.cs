using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Rlx.Benchmarks.EnvStepBenchmarks).Assembly).Run(args);
