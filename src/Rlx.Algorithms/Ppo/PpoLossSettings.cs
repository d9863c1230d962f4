namespace Rlx.Algorithms;

/// <summary>The coefficients of the PPO loss (CleanRL's names and defaults).</summary>
/// <param name="ClipCoef">Surrogate (and value) clipping, default 0.2.</param>
/// <param name="EntCoef">Entropy bonus, default 0.01.</param>
/// <param name="VfCoef">Value loss weight, default 0.5.</param>
/// <param name="ClipValueLoss">Clip the value loss, default true.</param>
public sealed record PpoLossSettings(double ClipCoef = 0.2, double EntCoef = 0.01, double VfCoef = 0.5, bool ClipValueLoss = true);
