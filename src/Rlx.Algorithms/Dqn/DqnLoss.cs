using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// The DQN TD loss of one batch and its gradient (CleanRL <c>dqn.py</c>):
/// <c>y = r + γⁿ · Q_target(s', a*) · (1 − done)</c> with <c>a* = argmax Q_target(s')</c>, or
/// <c>argmax Q(s')</c> for double DQN; <c>loss = mean(w · (Q(s, a) − y)²)</c>. Dueling networks output
/// <c>[V, A₁…Aₙ]</c> and <c>Q = V + A − mean(A)</c>.
/// </summary>
public sealed class DqnLoss(int actions, bool dueling, bool doubleQ)
{
    private float[] _q = [], _next = [], _nextOnline = [], _gradHead = [];

    /// <summary>Number of actions.</summary>
    public int ActionCount => actions;

    /// <summary>Width of the network's output layer.</summary>
    public int HeadSize => dueling ? actions + 1 : actions;

    /// <summary>Q-values of <paramref name="batch"/> observations from <paramref name="network"/>'s output.</summary>
    public void QValues(Mlp network, ReadOnlySpan<float> observations, int batch, Span<float> q) =>
        EpsilonGreedyQPolicy.QValues(network.Forward(observations, batch), batch, actions, dueling, q);

    /// <summary>
    /// Computes targets, the loss and its gradient (accumulated into <paramref name="q"/>'s parameters);
    /// writes |TD error| per sample into <paramref name="tdErrors"/> and returns the loss.
    /// </summary>
    public double Compute(
        Mlp q, Mlp target, int batch, ReadOnlySpan<float> observations, ReadOnlySpan<float> actionsTaken, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> dones, ReadOnlySpan<float> discounts, ReadOnlySpan<float> weights,
        Span<float> targets, Span<float> taken, Span<float> tdErrors)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(target);
        EnsureCapacity(batch);
        Span<float> next = _next.AsSpan(0, batch * actions);
        QValues(target, nextObservations, batch, next);
        if (doubleQ)
        {
            QValues(q, nextObservations, batch, _nextOnline.AsSpan(0, batch * actions));
        }

        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = next.Slice(i * actions, actions);
            float bootstrap = doubleQ ? row[Categorical.Mode(_nextOnline.AsSpan(i * actions, actions))] : row[Categorical.Mode(row)];
            targets[i] = rewards[i] + (discounts[i] * bootstrap * (1f - dones[i]));
        }

        ReadOnlySpan<float> head = q.Forward(observations, batch);
        Span<float> values = _q.AsSpan(0, batch * actions);
        EpsilonGreedyQPolicy.QValues(head, batch, actions, dueling, values);
        Span<float> gradHead = _gradHead.AsSpan(0, batch * HeadSize);
        gradHead.Clear();
        double loss = 0;
        for (int i = 0; i < batch; i++)
        {
            int a = (int)actionsTaken[i];
            taken[i] = values[(i * actions) + a];
            double error = taken[i] - targets[i];
            loss += weights[i] * error * error;
            tdErrors[i] = (float)Math.Abs(error);
            float g = (float)(2 * weights[i] * error / batch);
            if (dueling)
            {
                gradHead[i * HeadSize] += g;
                for (int j = 0; j < actions; j++)
                {
                    gradHead[(i * HeadSize) + 1 + j] += g * ((j == a ? 1f : 0f) - (1f / actions));
                }
            }
            else
            {
                gradHead[(i * actions) + a] = g;
            }
        }

        q.Backward(gradHead, batch);
        return loss / batch;
    }

    private void EnsureCapacity(int batch)
    {
        if (_q.Length >= batch * actions)
        {
            return;
        }

        (_q, _next, _nextOnline, _gradHead) = (new float[batch * actions], new float[batch * actions], new float[batch * actions], new float[batch * HeadSize]);
    }
}
