using System.CommandLine;
using System.Globalization;
using Rlx.Serving;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx serve CHECKPOINT|RUN</c>: a trained policy as an action service (HTTP JSON and the binary protocol), until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output)
    {
        var defaults = new ServeOptions();
        var source = new Argument<string?>("checkpoint")
        {
            Description = "A checkpoint directory, or a run directory (its newest checkpoint, and newer ones as they appear)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var job = new Option<string?>("--job") { Description = "Serve the run of this head job (on the head's machine): the newest run in the job's working directory" };
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0: every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "HTTP port (0: any free port)", DefaultValueFactory = _ => 8000 };
        var binaryPort = new Option<int?>("--binary-port") { Description = "Also answer binary-protocol policy clients (docs/protocol.md) on this port (0: any free port)" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most observations per forward pass, and per request", DefaultValueFactory = _ => defaults.MaxBatch };
        var maxWait = new Option<int>("--max-wait-us") { Description = "How long a batch that is not full waits for more requests, in microseconds", DefaultValueFactory = _ => defaults.MaxWaitMicroseconds };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait; past it requests get 503", DefaultValueFactory = _ => defaults.QueueCapacity };
        var reloadInterval = new Option<int>("--reload-interval-ms") { Description = "How often to look for a newer checkpoint", DefaultValueFactory = _ => 1000 };
        var noReload = new Option<bool>("--no-reload") { Description = "Serve the first checkpoint only; never reload" };
        var sample = new Option<bool>("--sample") { Description = "Sample actions unless a request asks for deterministic ones (default: greedy/mean actions)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generator sampled actions come from", DefaultValueFactory = _ => 0 };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("serve", "Serve a trained policy: HTTP JSON actions with micro-batching, hot reload and /metrics")
        {
            source, job, host, port, binaryPort, maxBatch, maxWait, queue, reloadInterval, noReload, sample, seed, assemblies,
        };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            string path2 = (parsed.GetValue(source), parsed.GetValue(job)) switch
            {
                ({ } given, null) => given,
                (null, { } id) => JobRuns.RunOf(id),
                (null, null) => throw new CliException("Say what to serve: rlx serve CHECKPOINT_OR_RUN_DIR, or rlx serve --job ID for the run of a head job."),
                _ => throw new CliException("Give a checkpoint or run directory, or --job ID, not both."),
            };
            var options = new ServeOptions
            {
                MaxBatch = parsed.GetValue(maxBatch),
                MaxWaitMicroseconds = parsed.GetValue(maxWait),
                QueueCapacity = parsed.GetValue(queue),
                ReloadInterval = parsed.GetValue(noReload) ? null : TimeSpan.FromMilliseconds(parsed.GetValue(reloadInterval)),
                Deterministic = !parsed.GetValue(sample),
                Seed = parsed.GetValue(seed),
            };
            using var stop = new Interrupt();
            return RunAsync(path2, options, parsed.GetValue(host)!, parsed.GetValue(port), parsed.GetValue(binaryPort), output, stop.Token).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> RunAsync(string path, ServeOptions options, string host, int port, int? binaryPort, TextWriter output, CancellationToken stop)
    {
        PolicyService service = PolicyService.Start(path, options, output);
        PolicyServeHost server;
        try
        {
            server = await PolicyServeHost.StartAsync(service, host, port, binaryPort, stop).ConfigureAwait(false);
        }
        catch
        {
            service.Dispose();
            throw;
        }

        await using (server.ConfigureAwait(false))
        {
            ServedPolicy current = service.Current;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"serving the {current.Snapshot.Algorithm} policy for {current.EnvId} ({current.Snapshot.Timesteps:N0} timesteps) from {current.Checkpoint} as version {current.Version}"));
            output.WriteLine($"listening on {server.Url.ToString().TrimEnd('/')} ({PolicyHttp.Endpoints})");
            if (server.BinaryPort is { } bound)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"binary protocol on {server.Url.Host}:{bound}"));
            }

            output.WriteLine(options.ReloadInterval is { } every
                ? string.Create(CultureInfo.InvariantCulture, $"watching {service.Watched} for newer checkpoints every {every.TotalMilliseconds:0} ms")
                : "not reloading (--no-reload)");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            output.WriteLine("stopping: answering the requests in flight");
        }

        return 0;
    }
}
