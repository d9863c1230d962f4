using Rlx.Environments.Wrappers;

namespace Rlx.Runtime;

/// <summary>
/// One rollout fragment of <see cref="Steps"/> × <see cref="NumEnvs"/> transitions, row per step
/// (CleanRL's storage layout). <c>Dones[t]</c> is 1 where observation <c>t</c> starts a new episode.
/// </summary>
public sealed class SampleBatch
{
    /// <summary>
    /// Allocates storage; <paramref name="nextObservations"/> adds <see cref="NextObservations"/> and <see cref="Terminated"/>,
    /// and a recurrent policy's <paramref name="stateSize"/> adds <see cref="InitialStates"/>.
    /// </summary>
    public SampleBatch(int steps, int numEnvs, int observationSize, int actionSize, bool nextObservations = false, int stateSize = 0)
    {
        (Steps, NumEnvs, ObservationSize, ActionSize) = (steps, numEnvs, observationSize, actionSize);
        int n = steps * numEnvs;
        Observations = new float[n * observationSize];
        Actions = new float[n * actionSize];
        LogProbs = new float[n];
        Values = new float[n];
        Rewards = new float[n];
        Dones = new float[n];
        NextValues = new float[numEnvs];
        NextDones = new float[numEnvs];
        NextObservations = nextObservations ? new float[n * observationSize] : [];
        Terminated = nextObservations ? new float[n] : [];
        StateSize = stateSize;
        InitialStates = new float[numEnvs * stateSize];
    }

    /// <summary>Floats of recurrent policy state per environment (0 for memoryless policies).</summary>
    public int StateSize { get; }

    /// <summary>
    /// Each environment's recurrent state before the fragment's first step (<c>[NumEnvs, StateSize]</c>; zeroed by the policy
    /// where <c>Dones[0]</c> starts an episode): learners replay the fragment's sequences from it.
    /// </summary>
    public float[] InitialStates { get; }

    /// <summary>Steps per environment.</summary>
    public int Steps { get; }

    /// <summary>Environments.</summary>
    public int NumEnvs { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Transitions in the fragment.</summary>
    public int Count => Steps * NumEnvs;

    /// <summary>Observations the actions were taken in.</summary>
    public float[] Observations { get; }

    /// <summary>Actions taken (as sampled, before any clipping by the environment).</summary>
    public float[] Actions { get; }

    /// <summary>Log-probabilities of the actions under the sampling policy.</summary>
    public float[] LogProbs { get; }

    /// <summary>Critic values of the observations.</summary>
    public float[] Values { get; }

    /// <summary>Rewards (with the truncation bootstrap added where enabled).</summary>
    public float[] Rewards { get; }

    /// <summary>1 where the observation starts a new episode.</summary>
    public float[] Dones { get; }

    /// <summary>Values of the observations after the last step.</summary>
    public float[] NextValues { get; }

    /// <summary>Done flags of the observations after the last step.</summary>
    public float[] NextDones { get; }

    /// <summary>Whether <see cref="NextObservations"/> and <see cref="Terminated"/> are recorded.</summary>
    public bool HasNextObservations => Terminated.Length > 0;

    /// <summary>The observation each action led to (the final observation where the episode ended); empty unless recorded.</summary>
    public float[] NextObservations { get; }

    /// <summary>1 where the action ended the episode by termination (not by truncation); empty unless recorded.</summary>
    public float[] Terminated { get; }

    /// <summary>Episodes that finished during the fragment, in the order they finished.</summary>
    public List<EpisodeStatistics> Episodes { get; } = [];

    /// <summary>Copies every field into <paramref name="destination"/>, which must have the same shape.</summary>
    public void CopyTo(SampleBatch destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Steps != Steps || destination.NumEnvs != NumEnvs || destination.ObservationSize != ObservationSize || destination.ActionSize != ActionSize
            || destination.HasNextObservations != HasNextObservations || destination.StateSize != StateSize)
        {
            throw new ArgumentException($"The destination batch is {destination.Steps}x{destination.NumEnvs} (obs {destination.ObservationSize}, action {destination.ActionSize}); this one is {Steps}x{NumEnvs} (obs {ObservationSize}, action {ActionSize}).", nameof(destination));
        }

        Observations.CopyTo(destination.Observations, 0);
        Actions.CopyTo(destination.Actions, 0);
        LogProbs.CopyTo(destination.LogProbs, 0);
        Values.CopyTo(destination.Values, 0);
        Rewards.CopyTo(destination.Rewards, 0);
        Dones.CopyTo(destination.Dones, 0);
        NextValues.CopyTo(destination.NextValues, 0);
        NextDones.CopyTo(destination.NextDones, 0);
        NextObservations.CopyTo(destination.NextObservations, 0);
        Terminated.CopyTo(destination.Terminated, 0);
        InitialStates.CopyTo(destination.InitialStates, 0);
        destination.Episodes.Clear();
        destination.Episodes.AddRange(Episodes);
    }
}
