namespace Rlx.Nn;

/// <summary>A first-order optimiser over a fixed list of parameters.</summary>
public interface IOptimizer
{
    /// <summary>The optimised parameters.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Updates taken so far.</summary>
    long StepCount { get; set; }

    /// <summary>The optimiser's per-parameter buffers by name, for checkpoints.</summary>
    IReadOnlyList<(string Name, float[] Values)> State { get; }

    /// <summary>Applies one update from the current gradients.</summary>
    void Step(double learningRate);
}
