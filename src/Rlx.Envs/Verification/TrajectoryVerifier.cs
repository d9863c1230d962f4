using System.Globalization;
using System.Text.Json;
using Rlx.Environments;
using Rlx.Environments.ClassicControl;

namespace Rlx.Environments.Verification;

/// <summary>
/// Replays a trajectory file recorded from Gymnasium (the JSONL format of <c>shared/golden/envs</c>:
/// a header line, then <c>reset</c> and <c>step</c> records) against the same environment in Rlx and
/// compares every observation, reward, flag and internal state bit for bit.
/// </summary>
public static class TrajectoryVerifier
{
    /// <summary>Replays <paramref name="path"/> using environments from <paramref name="registry"/> (default: the built-in registry).</summary>
    public static VerificationReport Verify(string path, EnvRegistry? registry = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Trajectory file '{path}' does not exist.", path);
        }

        using var lines = File.ReadLines(path).GetEnumerator();
        if (!lines.MoveNext())
        {
            throw new FormatException($"{path} is empty; expected a header line first.");
        }

        using JsonDocument header = Parse(lines.Current, path, 1);
        if (Str(header.RootElement, "type") != "header")
        {
            throw new FormatException($"{path}:1: first line must be the header record (type \"header\").");
        }

        string envId = Str(header.RootElement, "env_id") ?? throw new FormatException($"{path}:1: header has no env_id.");
        int? maxSteps = header.RootElement.TryGetProperty("max_episode_steps", out JsonElement m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : null;
        using Env env = (registry ?? Envs.Registry).Make(envId, maxSteps);
        var comparer = new Comparer();
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        int resets = 0, steps = 0, lineNumber = 1;

        while (lines.MoveNext())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(lines.Current))
            {
                continue;
            }

            using JsonDocument doc = Parse(lines.Current, path, lineNumber);
            JsonElement record = doc.RootElement;
            string where = $"line {lineNumber}";
            switch (Str(record, "type"))
            {
                case "reset":
                    int? seed = record.TryGetProperty("reset_seed", out JsonElement s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : null;
                    env.Reset(observation, seed);
                    comparer.Floats("obs", record.GetProperty("obs"), observation, where);
                    comparer.State("state", record.GetProperty("state"), env, where);
                    resets++;
                    break;
                case "step":
                    comparer.State("state_before", record.GetProperty("state_before"), env, where);
                    ReadAction(record.GetProperty("action"), action);
                    StepResult result = env.Step(action, observation);
                    comparer.Floats("obs", record.GetProperty("obs"), observation, where);
                    comparer.Double("reward", record.GetProperty("reward").GetDouble(), result.Reward, where);
                    comparer.Flag("terminated", record.GetProperty("terminated").GetBoolean(), result.Terminated, where);
                    comparer.Flag("truncated", record.GetProperty("truncated").GetBoolean(), result.Truncated, where);
                    comparer.State("state_after", record.GetProperty("state_after"), env, where);
                    steps++;
                    break;
                default:
                    throw new FormatException($"{path}:{lineNumber}: unknown record type '{Str(record, "type")}' (expected reset or step).");
            }
        }

        return new VerificationReport(envId, resets, steps, comparer.Report());
    }

    private static void ReadAction(JsonElement element, Span<float> action)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement value in element.EnumerateArray())
            {
                action[i++] = (float)value.GetDouble();
            }
        }
        else
        {
            action[0] = (float)element.GetDouble();
        }
    }

    private static JsonDocument Parse(string line, string path, int lineNumber)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{lineNumber}: not valid JSON ({e.Message}).", e);
        }
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class Comparer
    {
        private static readonly string[] Order = ["obs", "reward", "terminated", "truncated", "state", "state_before", "state_after"];
        private readonly Dictionary<string, (long Compared, long Mismatches, double Max, string? First)> _fields = [];

        public void Floats(string field, JsonElement expected, ReadOnlySpan<float> actual, string where)
        {
            int i = 0;
            foreach (JsonElement value in expected.EnumerateArray())
            {
                float e = (float)value.GetDouble();
                float a = i < actual.Length ? actual[i] : float.NaN;
                Add(field, BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a), Math.Abs((double)e - a), $"{where} {field}[{i}]: expected {e.ToString("R", CultureInfo.InvariantCulture)}, got {a.ToString("R", CultureInfo.InvariantCulture)}");
                i++;
            }
        }

        public void Double(string field, double expected, double actual, string where) =>
            Add(field, BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), Math.Abs(expected - actual), $"{where} {field}: expected {expected.ToString("R", CultureInfo.InvariantCulture)}, got {actual.ToString("R", CultureInfo.InvariantCulture)}");

        public void Flag(string field, bool expected, bool actual, string where) =>
            Add(field, expected == actual, expected == actual ? 0 : 1, $"{where} {field}: expected {expected}, got {actual}");

        public void State(string field, JsonElement expected, Env env, string where)
        {
            if (env.Unwrapped is not IPhysicsState physics)
            {
                return;
            }

            ReadOnlySpan<double> state = physics.State;
            int i = 0;
            foreach (JsonElement value in expected.EnumerateArray())
            {
                double e = value.GetDouble();
                double a = i < state.Length ? state[i] : double.NaN;
                Add(field, BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a), Math.Abs(e - a), $"{where} {field}[{i}]: expected {e.ToString("R", CultureInfo.InvariantCulture)}, got {a.ToString("R", CultureInfo.InvariantCulture)}");
                i++;
            }
        }

        public List<FieldDeviation> Report() =>
            _fields.OrderBy(f => Array.IndexOf(Order, f.Key)).Select(f => new FieldDeviation(f.Key, f.Value.Compared, f.Value.Mismatches, f.Value.Max, f.Value.First)).ToList();

        private void Add(string field, bool identical, double difference, string description)
        {
            _fields.TryGetValue(field, out var entry);
            entry.Compared++;
            if (!identical)
            {
                entry.Mismatches++;
                entry.Max = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(entry.Max, difference);
                entry.First ??= description;
            }

            _fields[field] = entry;
        }
    }
}
