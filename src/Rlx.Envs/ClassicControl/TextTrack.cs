namespace Rlx.Environments.ClassicControl;

/// <summary>Draws a one-line track with markers, for the text renderings.</summary>
internal static class TextTrack
{
    public const int Width = 41;

    public static int Cell(double value, double min, double max)
    {
        double fraction = (value - min) / (max - min);
        return Math.Clamp((int)Math.Round(fraction * (Width - 1)), 0, Width - 1);
    }

    public static char[] Empty(char fill)
    {
        var track = new char[Width];
        Array.Fill(track, fill);
        return track;
    }
}
