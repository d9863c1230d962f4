using Spectre.Console;

namespace Rlx.Cli;

/// <summary>The key/value summary printed at the end of a command: a table on a terminal, aligned <c>key  value</c> lines otherwise.</summary>
internal static class SummaryTable
{
    /// <param name="plain">Where the plain lines go.</param>
    /// <param name="terminal">The terminal to draw the table on, or null for plain lines.</param>
    /// <param name="rows">Keys and values in display order.</param>
    public static void Write(TextWriter plain, IAnsiConsole? terminal, IReadOnlyList<(string Key, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(rows);
        if (terminal is null)
        {
            int width = rows.Count == 0 ? 0 : rows.Max(r => r.Key.Length);
            foreach ((string key, string value) in rows)
            {
                plain.WriteLine($"{key.PadRight(width)}  {value}");
            }

            return;
        }

        var table = new Table().RoundedBorder().HideHeaders().AddColumn(string.Empty).AddColumn(string.Empty);
        foreach ((string key, string value) in rows)
        {
            table.AddRow(new Spectre.Console.Text(key, new Style(decoration: Decoration.Bold)), new Spectre.Console.Text(value));
        }

        terminal.Write(table);
    }
}
