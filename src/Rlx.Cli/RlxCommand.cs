using System.CommandLine;
using Rlx.Cli.Commands;

namespace Rlx.Cli;

/// <summary>The <c>rlx</c> root command: builds the command tree and turns user errors into one-line messages.</summary>
internal static class RlxCommand
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        Rlx.Environments.Remote.RemoteEnvs.Register();
        var root = new RootCommand("Rlx: reinforcement learning for .NET, from a laptop to a cluster.")
        {
            EnvCommands.Create(output),
            TrainCommand.Create(output, error),
            TuneCommand.Create(output, error),
            EvalCommand.Create(output),
            ExportCommand.Create(output),
            ServeCommand.Create(output),
            JobCommands.Create(output),
        };
        foreach (Command command in ClusterCommands.Create(output, error))
        {
            root.Subcommands.Add(command);
        }

        ParseResult parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserError.IsUserError(e))
        {
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            error.WriteLine($"error: {message}");
            return 2;
        }
    }
}
