using Rlx.Algorithms;
using Spectre.Console;

namespace Rlx.Cli.Tests;

public sealed class ProgressDisplayTests
{
    private static readonly StopConditions Stop = new(1536, null, null);

    private static TrainResult Result(long iteration) => new()
    {
        TrainingIteration = iteration,
        TimestepsTotal = iteration * 512,
        EpisodesTotal = iteration * 20,
        EpisodesThisIter = 20,
        EpisodeReturnMean = 21.5 * iteration,
        EpisodeLenMean = 21.5,
        TimeThisIterS = 0.125,
        TimeTotalS = 0.125 * iteration,
        EnvStepsPerS = 4096,
        LearnerStats = new Dictionary<string, double>(),
    };

    private static IAnsiConsole Terminal(StringWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 200;
        return console;
    }

    [Fact]
    public void Update_Redirected_PrintsAPlainLineAtMostEveryFewSeconds()
    {
        using var output = new StringWriter();
        using (var progress = new ProgressLine(output, Stop, enabled: true))
        {
            progress.Update(Result(1));
            progress.Update(Result(2));
            progress.Finish();
        }

        Assert.Equal("iter     1 | 512/1,536 steps |     4,096 steps/s | return    21.50 | ETA 0:00:00" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void Update_Disabled_PrintsNothing()
    {
        using var output = new StringWriter();
        using (var progress = new ProgressLine(output, Stop, enabled: false, terminal: Terminal(output)))
        {
            progress.Update(Result(1));
        }

        Assert.Empty(output.ToString());
    }

    [Fact]
    public void Update_OnATerminal_DrawsALiveBarThatEndsAtTheLastIteration()
    {
        using var output = new StringWriter();
        using (var progress = new ProgressLine(output, Stop, enabled: true, terminal: Terminal(output)))
        {
            for (long i = 1; i <= 3; i++)
            {
                progress.Update(Result(i));
            }

            progress.Finish();
        }

        string screen = output.ToString();
        Assert.Contains("iter 3 | 1,536 steps | 4,096 steps/s | return 64.50", screen, StringComparison.Ordinal);
        Assert.Contains("100%", screen, StringComparison.Ordinal);
        Assert.Contains("\u001b[", screen, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryTable_Plain_AlignsKeysAndValues()
    {
        using var output = new StringWriter();

        SummaryTable.Write(output, null, [("stopped because", "timesteps"), ("iterations", "3 (3 in this session)")]);

        Assert.Equal(
            ["stopped because  timesteps", "iterations       3 (3 in this session)"],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SummaryTable_OnATerminal_DrawsABorderedTableWithEveryRow()
    {
        using var output = new StringWriter();

        SummaryTable.Write(output, Terminal(output), [("stopped because", "timesteps"), ("run directory", "runs/[x]")]);

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // top border, two rows, bottom border
        Assert.Matches("stopped because.*timesteps", lines[1]);
        Assert.Matches(@"run directory.*runs/\[x\]", lines[2]);
    }
}
