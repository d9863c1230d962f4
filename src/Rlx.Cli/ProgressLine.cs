using System.Diagnostics;
using System.Globalization;
using Rlx.Algorithms;

namespace Rlx.Cli;

/// <summary>The live training display: one line rewritten in place on a terminal, a line every few seconds otherwise.</summary>
internal sealed class ProgressLine(TextWriter writer, StopConditions stop, bool enabled)
{
    private readonly bool _interactive = !Console.IsOutputRedirected && writer == Console.Out;
    private long _lastPrint = Stopwatch.GetTimestamp() - Stopwatch.Frequency * 10;
    private bool _pending;

    public void Update(TrainResult result)
    {
        if (!enabled)
        {
            return;
        }

        double interval = _interactive ? 0.2 : 5.0;
        if (Stopwatch.GetElapsedTime(_lastPrint).TotalSeconds < interval)
        {
            return;
        }

        _lastPrint = Stopwatch.GetTimestamp();
        string eta = stop.Timesteps is { } target && result.TimestepsTotal > 0
            ? TimeSpan.FromSeconds(Math.Max(0, (target - result.TimestepsTotal) * result.TimeTotalS / result.TimestepsTotal)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : "-";
        string total = stop.Timesteps is { } t ? $"/{t:N0}" : string.Empty;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"iter {result.TrainingIteration,5} | {result.TimestepsTotal:N0}{total} steps | {result.EnvStepsPerS,9:N0} steps/s | return {(double.IsNaN(result.EpisodeReturnMean) ? "-" : result.EpisodeReturnMean.ToString("F2", CultureInfo.InvariantCulture)),8} | ETA {eta}");
        if (_interactive)
        {
            writer.Write("\r" + line.PadRight(100));
            _pending = true;
        }
        else
        {
            writer.WriteLine(line);
        }
    }

    public void Finish()
    {
        if (_pending)
        {
            writer.WriteLine();
            _pending = false;
        }
    }
}
