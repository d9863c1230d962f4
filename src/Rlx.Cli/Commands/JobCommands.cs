using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Server.Client;
using Rlx.Server.Jobs;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx job submit|status|logs|stop|list|delete</c>: the head's jobs API, as <c>ray job</c> does it.</summary>
internal static class JobCommands
{
    public static Command Create(TextWriter output)
    {
        var job = new Command("job", "Submit and manage jobs on a head (the Ray-compatible jobs API on port 8265)");
        job.Subcommands.Add(Submit(output));
        job.Subcommands.Add(Simple("status", "Print a job's status and message", output, async (client, id, parsed, _) =>
        {
            JobDetails details = await client.GetJobInfoAsync(id).ConfigureAwait(false);
            output.WriteLine($"{details.SubmissionId}: {details.Status.ToWire()}: {details.Message}");
            return 0;
        }));
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the job ends" };
        job.Subcommands.Add(Simple("logs", "Print a job's logs", output, async (client, id, parsed, _) =>
        {
            if (parsed.GetValue(follow))
            {
                await Stream(client, id, output).ConfigureAwait(false);
            }
            else
            {
                output.Write(await client.GetJobLogsAsync(id).ConfigureAwait(false));
            }

            return 0;
        }, follow));
        var noWaitStop = new Option<bool>("--no-wait") { Description = "Return without waiting for the job to stop" };
        job.Subcommands.Add(Simple("stop", "Stop a job: SIGTERM, then SIGKILL after the head's grace period", output, async (client, id, parsed, _) =>
        {
            bool stopped = await client.StopJobAsync(id).ConfigureAwait(false);
            if (!stopped)
            {
                output.WriteLine($"Job '{id}' had already ended ({(await client.GetJobStatusAsync(id).ConfigureAwait(false)).ToWire()}).");
                return 0;
            }

            JobStatus status = parsed.GetValue(noWaitStop) ? JobStatus.Running : await WaitForEnd(client, id).ConfigureAwait(false);
            output.WriteLine(parsed.GetValue(noWaitStop) ? $"Asked job '{id}' to stop." : $"Job '{id}' {status.ToWire()}.");
            return 0;
        }, noWaitStop));
        job.Subcommands.Add(Simple("delete", "Delete a finished job's record and logs", output, async (client, id, parsed, _) =>
        {
            await client.DeleteJobAsync(id).ConfigureAwait(false);
            output.WriteLine($"Job '{id}' deleted.");
            return 0;
        }));
        job.Subcommands.Add(List(output));
        return job;
    }

    private static Option<string?> AddressOption() =>
        new("--address") { Description = "The head's dashboard URL (default: from RLX_ADDRESS, else http://127.0.0.1:8265); the token is read from RLX_TOKEN" };

    private static JobSubmissionClient Client(string? address) =>
        new(HeadAddress.Resolve(address), Environment.GetEnvironmentVariable("RLX_TOKEN"));

    private static Command Submit(TextWriter output)
    {
        var address = AddressOption();
        var workingDir = new Option<string?>("--working-dir") { Description = "Directory uploaded to the head; the job runs inside it" };
        var runtimeEnv = new Option<string?>("--runtime-env-json") { Description = "runtime_env as JSON: {\"env_vars\": {...}, \"working_dir\": ...}" };
        var metadata = new Option<string?>("--metadata-json") { Description = "Metadata as a JSON object of strings" };
        var submissionId = new Option<string?>("--submission-id") { Description = "Id for the job (default: generated)" };
        var cpus = new Option<double?>("--entrypoint-num-cpus") { Description = "CPUs to reserve for the entrypoint (recorded)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Print the submission id and return without following the logs" };
        var entrypoint = new Argument<string[]>("entrypoint") { Description = "The command, after --: rlx job submit -- python train.py", Arity = ArgumentArity.OneOrMore };
        var command = new Command("submit", "Submit a job; follows its logs until it ends and exits 0 if it SUCCEEDED, 1 otherwise")
        {
            address, workingDir, runtimeEnv, metadata, submissionId, cpus, noWait, entrypoint,
        };
        command.SetAction(parsed => Run(async () =>
        {
            JsonObject env = ParseObject(parsed.GetValue(runtimeEnv), "--runtime-env-json") ?? [];
            if (parsed.GetValue(workingDir) is { } dir)
            {
                env["working_dir"] = Path.GetFullPath(dir);
            }

            Dictionary<string, string>? meta = null;
            if (ParseObject(parsed.GetValue(metadata), "--metadata-json") is { } m)
            {
                meta = m.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out string? s) ? s : throw new CliException($"--metadata-json: the value of '{p.Key}' must be a string."));
            }

            using JobSubmissionClient client = Client(parsed.GetValue(address));
            string id = await client.SubmitJobAsync(new JobSubmitRequest
            {
                Entrypoint = string.Join(' ', parsed.GetValue(entrypoint)!),
                SubmissionId = parsed.GetValue(submissionId),
                RuntimeEnv = env.Count > 0 ? env : null,
                Metadata = meta,
                EntrypointNumCpus = parsed.GetValue(cpus),
            }).ConfigureAwait(false);
            output.WriteLine($"Job '{id}' submitted to {client.Address}.");
            if (parsed.GetValue(noWait))
            {
                output.WriteLine($"Follow it with: rlx job logs {id} --follow; status: rlx job status {id}; stop: rlx job stop {id}");
                return 0;
            }

            output.WriteLine("-------- job logs --------");
            await Stream(client, id, output).ConfigureAwait(false);
            JobStatus status = await WaitForEnd(client, id).ConfigureAwait(false);
            JobDetails details = await client.GetJobInfoAsync(id).ConfigureAwait(false);
            output.WriteLine("--------------------------");
            output.WriteLine($"Job '{id}' {status.ToWire()}: {details.Message}");
            return status == JobStatus.Succeeded ? 0 : 1;
        }));
        return command;
    }

    private static Command List(TextWriter output)
    {
        var address = AddressOption();
        var command = new Command("list", "List the head's jobs") { address };
        command.SetAction(parsed => Run(async () =>
        {
            using JobSubmissionClient client = Client(parsed.GetValue(address));
            IReadOnlyList<JobDetails> jobs = await client.ListJobsAsync().ConfigureAwait(false);
            if (jobs.Count == 0)
            {
                output.WriteLine("No jobs.");
                return 0;
            }

            int width = Math.Max(13, jobs.Max(j => j.SubmissionId.Length));
            output.WriteLine($"{"submission id".PadRight(width)}  {"status",-9}  {"duration",9}  entrypoint");
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (JobDetails job in jobs)
            {
                string duration = job.StartTime is { } start ? string.Create(CultureInfo.InvariantCulture, $"{((job.EndTime ?? now) - start) / 1000.0:F1} s") : "";
                output.WriteLine($"{job.SubmissionId.PadRight(width)}  {job.Status.ToWire(),-9}  {duration,9}  {job.Entrypoint}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Simple(string name, string description, TextWriter output, Func<JobSubmissionClient, string, ParseResult, TextWriter, Task<int>> action, params Option[] extra)
    {
        var address = AddressOption();
        var id = new Argument<string>("submission-id") { Description = "The job's submission id" };
        var command = new Command(name, description) { address, id };
        foreach (Option option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed => Run(async () =>
        {
            using JobSubmissionClient client = Client(parsed.GetValue(address));
            return await action(client, parsed.GetValue(id)!, parsed, output).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task Stream(JobSubmissionClient client, string id, TextWriter output)
    {
        await foreach (string chunk in client.TailJobLogsAsync(id).ConfigureAwait(false))
        {
            output.Write(chunk);
            output.Flush();
        }
    }

    private static async Task<JobStatus> WaitForEnd(JobSubmissionClient client, string id)
    {
        while (true)
        {
            JobStatus status = await client.GetJobStatusAsync(id).ConfigureAwait(false);
            if (status.IsTerminal())
            {
                return status;
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    private static JsonObject? ParseObject(string? json, string option)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new CliException($"{option} must be a JSON object, e.g. '{{\"env_vars\": {{\"A\": \"1\"}}}}'.");
        }
        catch (JsonException e)
        {
            throw new CliException($"{option} is not valid JSON ({e.Message}).");
        }
    }

    private static int Run(Func<Task<int>> action)
    {
        try
        {
            return action().GetAwaiter().GetResult();
        }
        catch (JobSubmissionException e)
        {
            throw new CliException(e.Message);
        }
    }
}
