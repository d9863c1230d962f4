namespace Rlx.Nn;

/// <summary>
/// A network with memory (an LSTM or GRU core): acting steps it one observation at a time, carrying a state of
/// <see cref="StateSize"/> floats per environment; training runs it over whole sequences from their stored initial
/// states, resetting the state where an episode starts, and backpropagates through time within each sequence.
/// </summary>
public interface IRecurrentNetwork : INetwork
{
    /// <summary>Floats of state per environment (zeros at an episode's start).</summary>
    int StateSize { get; }

    /// <summary>
    /// One step for <paramref name="batch"/> environments: reads each row's state from <paramref name="state"/>
    /// (<c>[batch, StateSize]</c>) and, when <paramref name="advance"/>, writes the next state back; no gradients are kept.
    /// </summary>
    ReadOnlySpan<float> Step(ReadOnlySpan<float> x, int batch, Span<float> state, bool advance = true);

    /// <summary>
    /// Makes the next <see cref="INetwork.Forward"/> run <paramref name="sequences"/> sequences of <paramref name="steps"/>
    /// steps, rows time-major (<c>row = t · sequences + s</c>), from <paramref name="initialState"/> (<c>[sequences, StateSize]</c>),
    /// with the state zeroed before step <c>t</c> of sequence <c>s</c> wherever <c>starts[t · sequences + s]</c> is 1.
    /// </summary>
    void SetSequences(int sequences, int steps, ReadOnlySpan<float> initialState, ReadOnlySpan<float> starts);
}
