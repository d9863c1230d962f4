namespace Rlx.Runtime;

/// <summary>Where a fragment came from.</summary>
/// <param name="Runner">Runner index.</param>
/// <param name="WeightsVersion">Version of the weights the fragment was sampled with.</param>
/// <param name="Sequence">The runner's fragment counter.</param>
public readonly record struct FragmentInfo(int Runner, long WeightsVersion, long Sequence);
