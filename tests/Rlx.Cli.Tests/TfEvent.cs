namespace Rlx.Cli.Tests;

/// <summary>One decoded TensorBoard event: its wall time, step, file version (first record only) and scalars.</summary>
internal sealed record TfEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<KeyValuePair<string, float>> Values);
