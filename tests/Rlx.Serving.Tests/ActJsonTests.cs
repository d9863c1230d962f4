namespace Rlx.Serving.Tests;

/// <summary>Answers that cannot be written as JSON numbers are refused with a message instead of a broken body.</summary>
public sealed class ActJsonTests
{
    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void NonFiniteAction_NamesTheObservationItCameFrom(float bad, string shown)
    {
        using var request = new ActRequest();
        request.Begin(blocking: false);
        request.EnsureRows(3, 3, 4, 2);
        request.Count = 3;
        request.Actions.AsSpan(0, 6).Fill(0.5f);
        Assert.Null(ActJson.NonFiniteAction(request, 2));

        request.Actions[5] = bad;

        Assert.Equal(
            $"the policy's action for observations[2] is {shown}, not a finite number: the observation is probably far outside anything the policy was trained on",
            ActJson.NonFiniteAction(request, 2));
    }
}
