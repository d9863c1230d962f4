using System.CommandLine;
using System.Globalization;
using Rlx.Algorithms;
using Rlx.Onnx;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx export CHECKPOINT --format onnx</c>: write a trained policy as an ONNX model for engines and services.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A checkpoint directory, or a run directory (its latest checkpoint is used)" };
        var format = new Option<string>("--format") { Description = "The model format: onnx", DefaultValueFactory = _ => "onnx" };
        var file = new Option<string?>("--output", "-o") { Description = "The file to write (default: policy.onnx in the current directory)" };
        var value = new Option<bool>("--value") { Description = "Also export the critic's value head (actor-critic policies)" };
        var policyId = new Option<string?>("--policy") { Description = "The policy to export, of a run that trains several (policy_mapping)" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("export", "Write a trained policy as an ONNX model (observation normalisation folded in; masks and recurrent state as inputs)")
        {
            checkpoint, format, file, value, policyId, assemblies,
        };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            string kind = parsed.GetValue(format)!;
            if (!string.Equals(kind, "onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"--format {kind} is not supported; the only format is onnx.");
            }

            string target = Path.GetFullPath(parsed.GetValue(file) ?? "policy.onnx");
            if (Directory.Exists(target))
            {
                throw new CliException($"{target} is a directory; give the file to write, e.g. -o {Path.Combine(target, "policy.onnx")}.");
            }

            OnnxExport export;
            using (Algorithm algorithm = CheckpointArgument.Restore(parsed.GetRequiredValue(checkpoint), output))
            {
                string? id = parsed.GetValue(policyId) ?? algorithm.DefaultPolicyId;
                IReadOnlyList<string> ids = algorithm.PolicyIds;
                if (id is null || !ids.Contains(id))
                {
                    throw new CliException(id is null
                        ? $"This run trains {ids.Count} policies ({string.Join(", ", ids)}); choose one with --policy ID."
                        : $"--policy {id}: the run's policies are {string.Join(", ", ids)}.");
                }

                try
                {
                    export = PolicyExport.ToOnnx(algorithm.SnapshotPolicy(id), parsed.GetValue(value), typeof(ExportCommand).Assembly.GetName().Version?.ToString() ?? "0");
                }
                catch (NotSupportedException e)
                {
                    throw new CliException($"Cannot export this policy: {e.Message}");
                }
            }

            WriteAtomically(target, export.Model);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {target} ({export.Model.Length / 1024.0:F1} KiB, ONNX opset {OnnxGraph.Opset})"));
            output.WriteLine("  inputs:  " + string.Join(", ", export.Inputs.Select(Describe)));
            output.WriteLine("  outputs: " + string.Join(", ", export.Outputs.Select(Describe)));
            return 0;
        });
        return command;
    }

    private static string Describe((string Name, int Width) value) =>
        value.Name == "log_std" ? $"{value.Name}[1|batch, {value.Width}]" : $"{value.Name}[batch, {value.Width}]";

    // A reader never sees half a model: the bytes go to a temporary sibling that is renamed over the target.
    private static void WriteAtomically(string path, byte[] content)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
