using System.Diagnostics;
using System.Globalization;
using Rlx.Algorithms;
using Spectre.Console;

namespace Rlx.Cli;

/// <summary>
/// The live training display. On an interactive terminal, a Spectre.Console progress bar toward the stop
/// condition (timesteps, else training time) with the latest iteration's figures; when output is redirected
/// or captured, a plain line every few seconds. Dispose (or <see cref="Finish"/>) ends the live display.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private const double PlainIntervalSeconds = 5.0;

    private readonly TextWriter _writer;
    private readonly StopConditions _stop;
    private readonly bool _enabled;
    private readonly IAnsiConsole? _terminal;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastPrint = Stopwatch.GetTimestamp() - Stopwatch.Frequency * 10;
    private Task? _display;
    private ProgressTask? _bar;

    /// <summary>A display on <paramref name="writer"/>: live if it is the terminal, plain lines otherwise.</summary>
    public ProgressLine(TextWriter writer, StopConditions stop, bool enabled)
        : this(writer, stop, enabled, enabled ? Terminal.For(writer) : null)
    {
    }

    /// <summary>A display drawn live on <paramref name="terminal"/>, or plain lines on <paramref name="writer"/> when it is null.</summary>
    public ProgressLine(TextWriter writer, StopConditions stop, bool enabled, IAnsiConsole? terminal)
    {
        _writer = writer;
        _stop = stop;
        _enabled = enabled;
        _terminal = terminal;
    }

    public void Update(TrainResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_enabled)
        {
            return;
        }

        if (_terminal is not null)
        {
            UpdateLive(_terminal, result);
            return;
        }

        if (Stopwatch.GetElapsedTime(_lastPrint).TotalSeconds < PlainIntervalSeconds)
        {
            return;
        }

        _lastPrint = Stopwatch.GetTimestamp();
        _writer.WriteLine(Line(result));
    }

    /// <summary>Ends the live display, leaving its last state on screen.</summary>
    public void Finish()
    {
        if (_display is null)
        {
            return;
        }

        _bar?.StopTask();
        _finished.TrySetResult();
        Task display = _display;
        _display = null;
        display.GetAwaiter().GetResult();
    }

    public void Dispose() => Finish();

    private void UpdateLive(IAnsiConsole terminal, TrainResult result)
    {
        _bar ??= StartLive(terminal);
        (double Value, double? Target) progress = _stop.Timesteps is { } steps ? (result.TimestepsTotal, steps)
            : _stop.Seconds is { } seconds ? (result.TimeTotalS, seconds)
            : (0, null);
        (double value, double? target) = progress;
        _bar.IsIndeterminate = target is null;
        _bar.MaxValue = target ?? 1;
        _bar.Value = Math.Min(value, _bar.MaxValue);
        _bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"iter {result.TrainingIteration} | {result.TimestepsTotal:N0} steps | {result.EnvStepsPerS:N0} steps/s | return {Return(result)}"));
    }

    /// <summary>Runs Spectre's progress display on a thread-pool thread until <see cref="Finish"/>; training goes on here.</summary>
    private ProgressTask StartLive(IAnsiConsole terminal)
    {
        var bar = new TaskCompletionSource<ProgressTask>(TaskCreationOptions.RunContinuationsAsynchronously);
        _display = Task.Run(() => terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                bar.SetResult(context.AddTask("starting", autoStart: true));
                await _finished.Task.ConfigureAwait(false);
            }));
        if (Task.WaitAny(bar.Task, _display) == 1)
        {
            _display.GetAwaiter().GetResult(); // the display failed before it started: its exception
        }

        return bar.Task.Result;
    }

    private string Line(TrainResult result)
    {
        string eta = _stop.Timesteps is { } target && result.TimestepsTotal > 0
            ? TimeSpan.FromSeconds(Math.Max(0, (target - result.TimestepsTotal) * result.TimeTotalS / result.TimestepsTotal)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : "-";
        string total = _stop.Timesteps is { } t ? $"/{t:N0}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"iter {result.TrainingIteration,5} | {result.TimestepsTotal:N0}{total} steps | {result.EnvStepsPerS,9:N0} steps/s | return {Return(result),8} | ETA {eta}");
    }

    // A run of several policies shows each policy's return this iteration (in a competitive game the mean over all agents says nothing).
    private static string Return(TrainResult result) =>
        PolicyReturns(result) ?? (double.IsNaN(result.EpisodeReturnMean) ? "-" : result.EpisodeReturnMean.ToString("F2", CultureInfo.InvariantCulture));

    /// <summary>Each policy's mean return this iteration (<c>red 0.31, blue -0.31</c>) for a run of several policies, else null.</summary>
    internal static string? PolicyReturns(TrainResult result)
    {
        const string Prefix = "policy/", Suffix = "/episode_return_mean";
        string[] returns = [.. result.LearnerStats
            .Where(p => p.Key.StartsWith(Prefix, StringComparison.Ordinal) && p.Key.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(p => $"{p.Key[Prefix.Length..^Suffix.Length]} {(double.IsNaN(p.Value) ? "-" : p.Value.ToString("F2", CultureInfo.InvariantCulture))}")];
        return returns.Length == 0 ? null : string.Join(", ", returns);
    }
}
