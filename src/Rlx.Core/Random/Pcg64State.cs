namespace Rlx.Random;

/// <summary>The complete state of a <see cref="Pcg64"/>, matching numpy's <c>bit_generator.state</c> fields.</summary>
/// <param name="State">The 128-bit LCG state.</param>
/// <param name="Increment">The 128-bit (odd) LCG increment, numpy's <c>inc</c>.</param>
/// <param name="HasUInt32">Whether half of the last 64-bit draw is buffered for the next 32-bit draw.</param>
/// <param name="UInteger">The buffered 32 bits.</param>
public readonly record struct Pcg64State(UInt128 State, UInt128 Increment, bool HasUInt32, uint UInteger);
