using Rlx.Environments;

namespace Rlx.Cli;

/// <summary>Exceptions that describe a mistake in the user's input or environment, reported without a stack trace.</summary>
internal static class UserError
{
    public static bool IsUserError(Exception e) => e is ArgumentException or FormatException or FileNotFoundException
        or DirectoryNotFoundException or ResetNeededException or NonFiniteValueException or CliException
        or BadImageFormatException or FileLoadException or InvalidDataException or Cluster.ClusterException
        or Rlx.Environments.Remote.RemoteFaultException or Rlx.Serving.ServeException;
}

/// <summary>A command-line mistake with a message meant for the user.</summary>
internal sealed class CliException(string message) : Exception(message);
