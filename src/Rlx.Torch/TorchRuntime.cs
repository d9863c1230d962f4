using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// Makes libtorch usable before the first TorchSharp call: on Linux systems whose libstdc++ predates
/// GCC 13 it relaxes the one version tag that keeps TorchSharp's native bridge from loading (see
/// <see cref="ElfVersionNeeds"/>), then initialises the CPU backend with a fixed number of threads so
/// that results repeat run to run. Every entry point of Rlx.Torch calls <see cref="EnsureReady"/>.
/// </summary>
public static class TorchRuntime
{
    private const string BridgeFile = "libLibTorchSharp.so";
    private const string Gcc13Version = "GLIBCXX_3.4.32";
    private const string Gcc13Marker = "_ZSt21ios_base_library_initv";
    private static readonly Lock Gate = new();
    private static bool _ready;
    private static Device? _device;
    [ThreadStatic]
    private static bool _threadConfigured;

    /// <summary>
    /// Prepares libtorch once per process. Throws <see cref="TorchUnavailableException"/>, naming the cause and
    /// the fix, when it cannot be loaded.
    /// </summary>
    public static void EnsureReady()
    {
        lock (Gate)
        {
            if (_ready)
            {
                return;
            }

            if (OperatingSystem.IsLinux())
            {
                RelaxBridgeForOlderLibstdcxx();
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                torch.set_num_threads(ThreadsFromEnvironment());
                DisableNnpack();
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or InvalidOperationException)
            {
                throw new TorchUnavailableException(
                    $"libtorch could not be loaded ({Innermost(e).Message.Split('\n')[0].Trim()}). Rlx.Torch needs the TorchSharp-cpu package's native files " +
                    "next to the application (a normal build or publish copies them); on Linux it also needs glibc ≥ 2.31.", e);
            }

            _ready = true;
        }
    }

    /// <summary>
    /// libtorch's intra-op threads: 1 unless <c>RLX_TORCH_THREADS</c> says otherwise. Rlx parallelises across env runners
    /// and gradient shards itself, so one thread per call avoids oversubscribing the cores and keeps results bit-identical.
    /// </summary>
    public static int ThreadsFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("RLX_TORCH_THREADS"), out int n) && n >= 1 ? n : 1;

    /// <summary>
    /// Applies <see cref="ThreadsFromEnvironment"/> on the calling thread (libtorch's OpenMP thread count is per calling
    /// thread); networks call it before their work, so runner and gradient threads compute like the main one.
    /// </summary>
    internal static void ConfigureThisThread()
    {
        if (!_threadConfigured)
        {
            EnsureReady();
            torch.set_num_threads(ThreadsFromEnvironment());
            _threadConfigured = true;
        }
    }

    /// <summary>
    /// The device networks run on: <c>RLX_TORCH_DEVICE</c> (<c>cpu</c>, the default, or <c>cuda</c>, <c>cuda:1</c>, …). CUDA
    /// needs TorchSharp's CUDA package in place of TorchSharp-cpu (docs/models.md says how).
    /// </summary>
    public static Device Device
    {
        get
        {
            if (_device is null)
            {
                EnsureReady();
                string name = Environment.GetEnvironmentVariable("RLX_TORCH_DEVICE") is { Length: > 0 } text ? text.Trim() : "cpu";
                if (name.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
                {
                    throw new TorchUnavailableException(
                        $"RLX_TORCH_DEVICE={name}, but CUDA is not available: this build carries TorchSharp-cpu, or the machine has no usable GPU. " +
                        "Swap in TorchSharp's CUDA package (docs/models.md) or unset RLX_TORCH_DEVICE.");
                }

                _device = torch.device(name);
            }

            return _device;
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (a float tensor of as many elements), on any device.</summary>
    internal static void CopyIn(Tensor destination, ReadOnlySpan<float> source)
    {
        if (destination.device_type == DeviceType.CPU)
        {
            Write(destination, source);
            return;
        }

        using Tensor staging = torch.empty(destination.shape, ScalarType.Float32);
        Write(staging, source);
        using var noGrad = torch.no_grad();
        destination.copy_(staging);
    }

    /// <summary>Copies a float tensor's elements into <paramref name="destination"/>, on any device.</summary>
    internal static void CopyOut(Tensor source, Span<float> destination)
    {
        if (source.device_type == DeviceType.CPU)
        {
            Read(source, destination);
            return;
        }

        using Tensor host = source.cpu();
        Read(host, destination);
    }

    // A contiguous CPU tensor's memory is copied as one block; TorchSharp's element accessor costs per element, which made
    // the parameter and gradient copies dominate small networks' steps. Views that are not contiguous take the accessor.
    private static void Write(Tensor tensor, ReadOnlySpan<float> source)
    {
        if (tensor.is_contiguous())
        {
            source.CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
        }
        else
        {
            tensor.data<float>().CopyFrom(source, 0, 0);
        }
    }

    private static void Read(Tensor tensor, Span<float> destination)
    {
        if (tensor.is_contiguous())
        {
            MemoryMarshal.Cast<byte, float>(tensor.bytes)[..destination.Length].CopyTo(destination);
        }
        else
        {
            tensor.data<float>().CopyTo(destination, 0, 0);
        }
    }

    /// <summary>A new float tensor of <paramref name="shape"/> on <see cref="Device"/> holding <paramref name="values"/>.</summary>
    internal static Tensor Upload(ReadOnlySpan<float> values, params long[] shape)
    {
        Tensor host = torch.empty(shape, ScalarType.Float32);
        Write(host, values);
        if (Device.type == DeviceType.CPU)
        {
            return host;
        }

        using (host)
        {
            return host.to(Device);
        }
    }

    /// <summary>Sets libtorch's intra-op thread count; results are bit-identical only between runs with the same count.</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EnsureReady();
        torch.set_num_threads(threads);
    }

    /// <summary>
    /// Turns libtorch's NNPACK convolutions off (what PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does). On CPUs
    /// NNPACK does not support, libtorch otherwise checks again before every small convolution and logs "Could not
    /// initialize NNPACK" each time — thousands of lines per evaluation — while computing the same results without it.
    /// TorchSharp has no binding for the flag, so this calls libtorch's exported <c>at::globalContext()</c> and
    /// <c>at::Context::setUserEnabledNNPACK(bool)</c>; when a libtorch build lacks either, nothing changes.
    /// </summary>
    private static void DisableNnpack()
    {
        if (!NativeLibrary.TryLoad("libtorch_cpu", typeof(torch).Assembly, null, out IntPtr library)
            && !NativeLibrary.TryLoad("torch_cpu", typeof(torch).Assembly, null, out library))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out IntPtr globalContext)
            && NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb", out IntPtr setUserEnabledNnpack))
        {
            IntPtr context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
            Marshal.GetDelegateForFunctionPointer<SetFlag>(setUserEnabledNnpack)(context, 0);
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    // A member function of at::Context: `this` comes first; the C++ bool is one byte.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, byte enabled);

    private static void RelaxBridgeForOlderLibstdcxx()
    {
        if (SystemLibstdcxxHasGcc13Tag())
        {
            return;
        }

        string baseDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (string candidate in new[] { Path.Combine(baseDirectory, "runtimes", rid, "native", BridgeFile), Path.Combine(baseDirectory, BridgeFile) })
        {
            if (File.Exists(candidate))
            {
                Relax(candidate);
            }
        }
    }

    private static void Relax(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        var strict = ElfVersionNeeds.Read(elf).Where(r => r.Version == Gcc13Version && !r.Weak).ToList();
        if (strict.Count == 0)
        {
            return;
        }

        foreach (var requirement in strict)
        {
            var users = ElfVersionNeeds.SymbolsNeeding(elf, requirement.Index);
            if (users.Any(s => s != Gcc13Marker))
            {
                throw new TorchUnavailableException(
                    $"{path} needs libstdc++ from GCC 13 or newer ({Gcc13Version}: {string.Join(", ", users)}), and this system's libstdc++ is older. " +
                    "Install a newer libstdc++6 (e.g. from your distribution's backports) or use a newer distribution.");
            }
        }

        ElfVersionNeeds.MakeWeak(elf, Gcc13Version);
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temporary, elf);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TorchUnavailableException(
                $"This system's libstdc++ predates GCC 13, so {path} must be adjusted once (its unused {Gcc13Version} requirement made optional), " +
                $"but the file cannot be written ({e.Message}). Run the application once with write access to its directory, or install libstdc++ from GCC 13 or newer.", e);
        }
    }

    private static bool SystemLibstdcxxHasGcc13Tag()
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out IntPtr handle))
        {
            return true; // No system libstdc++ to compare against: leave the files as they are.
        }

        try
        {
            return NativeLibrary.TryGetExport(handle, Gcc13Marker, out _);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}

/// <summary>libtorch cannot be used on this machine; the message names the cause and the fix.</summary>
public sealed class TorchUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
