using Spectre.Console;

namespace Rlx.Cli;

/// <summary>Spectre.Console over a command's output, when that output is an interactive terminal.</summary>
internal static class Terminal
{
    /// <summary>
    /// A console writing to <paramref name="writer"/> if it is this process's standard output and that is a
    /// terminal; null when output is redirected or captured, where commands print plain text.
    /// </summary>
    public static IAnsiConsole? For(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected
            ? AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = AnsiSupport.Detect,
                ColorSystem = ColorSystemSupport.Detect,
                Interactive = InteractionSupport.Detect,
            })
            : null;
}
