namespace Rlx.Serving.Tests;

/// <summary>Every test class shares one <see cref="Checkpoints"/> and runs one at a time (the machine has two cores).</summary>
[CollectionDefinition(Name)]
public sealed class CheckpointsCollection : ICollectionFixture<Checkpoints>
{
    public const string Name = "Checkpoints";
}
