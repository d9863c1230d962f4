namespace Rlx.Algorithms;

/// <summary>The loss terms of one PPO minibatch, named as CleanRL logs them.</summary>
/// <param name="PolicyLoss"><c>losses/policy_loss</c>: the clipped surrogate.</param>
/// <param name="ValueLoss"><c>losses/value_loss</c>: half the (clipped) squared error.</param>
/// <param name="Entropy"><c>losses/entropy</c>: mean policy entropy.</param>
/// <param name="ApproxKl"><c>losses/approx_kl</c>: <c>mean((r − 1) − log r)</c>.</param>
/// <param name="OldApproxKl"><c>losses/old_approx_kl</c>: <c>mean(−log r)</c>.</param>
/// <param name="ClipFraction"><c>losses/clipfrac</c>: fraction of ratios outside <c>1 ± clip</c>.</param>
/// <param name="Loss">The total loss that was differentiated.</param>
public readonly record struct PpoLossStats(double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double OldApproxKl, double ClipFraction, double Loss);
