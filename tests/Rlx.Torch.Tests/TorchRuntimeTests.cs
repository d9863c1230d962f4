using TorchSharp;

namespace Rlx.Torch.Tests;

public sealed class TorchRuntimeTests
{
    private static string BridgePath()
    {
        string directory = Path.GetDirectoryName(typeof(torch).Assembly.Location)!;
        return Path.Combine(directory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [SkippableFact]
    public void Bridge_NeedsGcc13OnlyForTheUnusedIostreamMarker_WhichMakeWeakRelaxes()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(BridgePath()), "the linux-x64 TorchSharp bridge is not in the output");
        TorchRuntime.EnsureReady();
        byte[] elf = File.ReadAllBytes(BridgePath());
        var requirement = Assert.Single(ElfVersionNeeds.Read(elf), r => r.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", requirement.File);
        Assert.Equal(["_ZSt21ios_base_library_initv"], ElfVersionNeeds.SymbolsNeeding(elf, requirement.Index));
        Assert.True(ElfVersionNeeds.MakeWeak(elf, "GLIBCXX_3.4.32"));
        Assert.True(Assert.Single(ElfVersionNeeds.Read(elf), r => r.Version == "GLIBCXX_3.4.32").Weak);
        Assert.All(ElfVersionNeeds.Read(elf).Where(r => r.Version != "GLIBCXX_3.4.32"), r => Assert.False(r.Weak));
        Assert.False(ElfVersionNeeds.MakeWeak(elf, "GLIBCXX_9.9"));
    }

    [Fact]
    public void Libtorch_Loads_AndComputesOnThisMachine()
    {
        TorchRuntime.EnsureReady();
        using var x = torch.tensor(new float[] { 1, 2, 3 });
        Assert.Equal(14f, (x * x).sum().item<float>());
    }

    [Fact]
    public void ElfReader_RefusesFilesThatAreNotElf() =>
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[64]));
}
