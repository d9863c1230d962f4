namespace Rlx.Cluster.Tests;

/// <summary>Addresses users type, and which of them other machines can reach.</summary>
public sealed class ClusterAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", true)]
    [InlineData("127.0.0.2:6379", true)]
    [InlineData("localhost:6379", true)]
    [InlineData("[::1]:6379", true)]
    [InlineData("10.0.0.5:6379", false)]
    [InlineData("0.0.0.0:6379", false)]
    [InlineData("head.cluster.local:6379", false)]
    public void IsLoopback_TellsAddressesOnlyThisMachineReaches(string address, bool loopback) =>
        Assert.Equal(loopback, ClusterAddress.IsLoopback(address));

    [Theory]
    [InlineData("head:port")]
    [InlineData("6379")]
    [InlineData("head:70000")]
    public void Resolve_RefusesAnAddressThatIsNotHostPort_SayingWhatItExpects(string address)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ClusterAddress.Resolve(address, "rlx:secret"));
        Assert.Contains("is not HOST:PORT or auto", e.Message, StringComparison.Ordinal);
    }
}
