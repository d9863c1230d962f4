using System.Globalization;

namespace Rlx.Environments.ClassicControl;

/// <summary>Reads optional numeric reset options (Gymnasium's <c>maybe_parse_reset_bounds</c> and friends).</summary>
internal static class ResetBounds
{
    public static double Get(IReadOnlyDictionary<string, object?>? options, string name, double defaultValue)
    {
        if (options is null || !options.TryGetValue(name, out object? raw) || raw is null)
        {
            return defaultValue;
        }

        try
        {
            return Convert.ToDouble(raw, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"Reset option {name} = '{raw}' is not a number.", nameof(options), e);
        }
    }

    public static (double Low, double High) Parse(IReadOnlyDictionary<string, object?>? options, double defaultLow, double defaultHigh)
    {
        double low = Get(options, "low", defaultLow);
        double high = Get(options, "high", defaultHigh);
        if (low > high)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Reset option low ({low}) must not exceed high ({high})."), nameof(options));
        }

        return (low, high);
    }
}
