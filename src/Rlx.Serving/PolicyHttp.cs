using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Rlx.Serving;

/// <summary>
/// The HTTP API of a <see cref="PolicyService"/>: <c>POST /v1/act</c>, <c>GET /v1/policy</c>, <c>GET /healthz</c> and
/// <c>GET /metrics</c> (docs/serving.md). <see cref="Map"/> mounts them under a prefix; the handlers take the service
/// as an argument, so a host that serves several policies (the head, one per job) can pick it per request.
/// Every error is <c>{"error": "..."}</c> with a status that says whose fault it is.
/// </summary>
public static class PolicyHttp
{
    /// <summary>JSON as people read it: quotes and non-ASCII characters are not escaped (bodies are never embedded in HTML).</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The endpoints, for messages.</summary>
    public const string Endpoints = "POST /v1/act, GET /v1/policy, GET /healthz, GET /metrics";

    /// <summary>Mounts the endpoints of <paramref name="service"/> under <paramref name="prefix"/> (empty: at the root), plus a JSON 404 for other paths.</summary>
    public static void Map(IEndpointRouteBuilder routes, PolicyService service, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(service);
        routes.Map(prefix + "/v1/act", context => ActAsync(context, service));
        routes.Map(prefix + "/v1/policy", context => PolicyAsync(context, service));
        routes.Map(prefix + "/healthz", context => HealthAsync(context, service));
        routes.Map(prefix + "/metrics", context => MetricsAsync(context, service));
        routes.Map(prefix + "/{**path}", context => ErrorAsync(context, 404, $"no endpoint {context.Request.Method} {context.Request.Path}; this server has {Endpoints}"));
    }

    /// <summary><c>POST /v1/act</c>: actions for a batch of observations, computed in the shared inference loop.</summary>
    public static async Task ActAsync(HttpContext context, PolicyService service)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await ErrorAsync(context, 405, $"{context.Request.Method} {context.Request.Path}: use POST with a JSON body {{\"observations\": [[...], ...]}}").ConfigureAwait(false);
            return;
        }

        PipeReader body = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                if (read.IsCompleted)
                {
                    break;
                }

                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            service.Metrics.Request(Transport.Http, RequestOutcome.BadRequest);
            await ErrorAsync(context, e.StatusCode, e.StatusCode == 413
                ? string.Create(CultureInfo.InvariantCulture, $"the request body is larger than {service.MaxRequestBytes} bytes: send at most {service.Options.MaxBatch} observations (--max-batch) per request")
                : e.Message).ConfigureAwait(false);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        ServedPolicy policy = service.Current;
        ActRequest request = service.Rent(blocking: false);
        try
        {
            string? problem = ActJson.Parse(read.Buffer, request, policy, service.Options);
            body.AdvanceTo(read.Buffer.End);
            if (problem is not null)
            {
                service.Metrics.Request(Transport.Http, RequestOutcome.BadRequest);
                await ErrorAsync(context, 400, problem).ConfigureAwait(false);
                return;
            }

            EnqueueResult queued = service.Enqueue(request);
            if (queued != EnqueueResult.Queued)
            {
                service.Metrics.Request(Transport.Http, RequestOutcome.Rejected);
                context.Response.Headers.RetryAfter = "1";
                await ErrorAsync(context, 503, queued == EnqueueResult.Full
                    ? string.Create(CultureInfo.InvariantCulture, $"the server is busy: {service.Options.QueueCapacity} requests are already queued (--queue); retry after 1 s")
                    : "the server is stopping").ConfigureAwait(false);
                return;
            }

            await request.WaitAsync().ConfigureAwait(false);
            if ((request.Failure ?? ActJson.NonFiniteAction(request, policy.ActionSize)) is { } failure)
            {
                service.Metrics.Request(Transport.Http, RequestOutcome.Failed);
                await ErrorAsync(context, 500, failure).ConfigureAwait(false);
                return;
            }

            ActJson.WriteActions(request, policy.ActionSize);
            service.Metrics.Request(Transport.Http, RequestOutcome.Ok, started);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = request.Output.WrittenCount;
            await context.Response.Body.WriteAsync(request.Output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            service.Return(request);
        }
    }

    /// <summary><c>GET /v1/policy</c>: what is served (environment, spaces, version, checkpoint, limits).</summary>
    public static Task PolicyAsync(HttpContext context, PolicyService service)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        ServedPolicy current = service.Current;
        return JsonAsync(context, 200, json =>
        {
            json.WriteString("env", current.EnvId);
            json.WriteString("algorithm", current.Snapshot.Algorithm);
            json.WriteNumber("policy_version", current.Version);
            json.WriteString("checkpoint", current.Checkpoint);
            json.WriteNumber("timesteps", current.Snapshot.Timesteps);
            json.WriteString("loaded_at", current.LoadedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("observation_space", current.Snapshot.ObservationSpace.ToString());
            WriteInts(json, "observation_shape", current.Snapshot.ObservationSpace.Shape);
            json.WriteNumber("observation_size", current.ObservationSize);
            json.WriteString("action_space", current.Snapshot.ActionSpace.ToString());
            WriteInts(json, "action_shape", current.Snapshot.ActionSpace.Shape);
            json.WriteNumber("action_size", current.ActionSize);
            json.WriteBoolean("observation_normalization", current.Snapshot.ObservationFilter is not null);
            json.WriteBoolean("deterministic_default", service.Options.Deterministic);
            json.WriteNumber("max_batch", service.Options.MaxBatch);
            json.WriteNumber("queue_capacity", service.Options.QueueCapacity);
            json.WriteString("source", service.Source);
            if (service.ReloadsAutomatically)
            {
                json.WriteString("watching", service.Watched);
            }
            else
            {
                json.WriteNull("watching");
            }

            json.WriteNumber("reloads", service.Metrics.Reloads);
        });
    }

    /// <summary><c>GET /healthz</c>: 200 with the version while the service answers.</summary>
    public static Task HealthAsync(HttpContext context, PolicyService service)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        long version = service.Current.Version;
        return JsonAsync(context, 200, json =>
        {
            json.WriteString("status", "ok");
            json.WriteNumber("policy_version", version);
        });
    }

    /// <summary><c>GET /metrics</c>: Prometheus text format 0.0.4.</summary>
    public static async Task MetricsAsync(HttpContext context, PolicyService service)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(service.Metrics.Write(service), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers <c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string message) =>
        JsonAsync(context, status, json => json.WriteString("error", message));

    private static async Task JsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteInts(Utf8JsonWriter json, string name, IReadOnlyList<int> values)
    {
        json.WriteStartArray(name);
        foreach (int value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }
}
