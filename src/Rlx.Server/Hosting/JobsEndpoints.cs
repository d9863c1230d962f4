using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rlx.Server.Jobs;

namespace Rlx.Server.Hosting;

/// <summary>The Ray-compatible jobs API: <c>/api/version</c>, <c>/api/jobs/…</c>, <c>/api/packages/…</c>.</summary>
internal static class JobsEndpoints
{
    /// <summary>Jobs API version reported by <c>GET /api/version</c> (Ray's version 4 has DELETE).</summary>
    public const string ApiVersion = "4";

    /// <summary>The Ray release whose Jobs REST API this server implements; Ray's client refuses servers below 1.9.</summary>
    public const string RayCompatibleVersion = "2.9.0";

    public static void Map(IEndpointRouteBuilder app, JobManager jobs, string sessionName)
    {
        app.MapGet("/api/version", () => Results.Json(new Dictionary<string, string>
        {
            ["version"] = ApiVersion,
            ["ray_version"] = RayCompatibleVersion,
            ["ray_commit"] = "rlx",
            ["session_name"] = sessionName,
            ["rlx_version"] = typeof(JobsEndpoints).Assembly.GetName().Version?.ToString() ?? "0",
        }));

        app.MapPost("/api/jobs/", (HttpRequest request) => Submit(request, jobs));
        app.MapGet("/api/jobs/", () => Results.Json(jobs.List(), ApiJson.Jobs));
        app.MapGet("/api/jobs/{id}", (string id) => Results.Json(jobs.Require(id), ApiJson.Jobs));
        app.MapGet("/api/jobs/{id}/logs", (string id) => Results.Json(new Dictionary<string, string> { ["logs"] = jobs.ReadLogs(id) }));
        app.MapGet("/api/jobs/{id}/logs/tail", (string id, HttpContext context) => TailAsync(id, context, jobs));
        app.MapPost("/api/jobs/{id}/stop", (string id) => Results.Json(new Dictionary<string, bool> { ["stopped"] = jobs.Stop(id) }));
        app.MapDelete("/api/jobs/{id}", (string id) => Results.Json(new Dictionary<string, bool> { ["deleted"] = jobs.Delete(id) }));

        app.MapGet("/api/packages/{protocol}/{name}", (string protocol, string name) =>
            jobs.Packages.Exists(protocol, name) ? Results.Ok() : Error(404, $"Package {protocol}://{name} does not exist."));
        app.MapPut("/api/packages/{protocol}/{name}", async (string protocol, string name, HttpRequest request, CancellationToken cancel) =>
        {
            await jobs.Packages.SaveAsync(protocol, name, request.Body, request.ContentLength, cancel).ConfigureAwait(false);
            return Results.Ok();
        });
    }

    public static IResult Error(int status, string message) =>
        Results.Json(new Dictionary<string, string> { ["error"] = message }, statusCode: status);

    private static async Task<IResult> Submit(HttpRequest request, JobManager jobs)
    {
        JobSubmitRequest? submit;
        try
        {
            submit = await JsonSerializer.DeserializeAsync<JobSubmitRequest>(request.Body, ApiJson.Jobs, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new JobApiException($"The job submission is not valid: {e.Message} Send a JSON object with at least \"entrypoint\".", e);
        }

        if (submit is null)
        {
            throw new JobApiException("The job submission is empty: send a JSON object with at least \"entrypoint\".");
        }

        JobDetails job = jobs.Submit(submit);
        return Results.Json(new Dictionary<string, string> { ["job_id"] = job.SubmissionId, ["submission_id"] = job.SubmissionId });
    }

    // Ray serves this as a websocket of text messages; plain HTTP clients get the same text as a chunked stream.
    private static async Task TailAsync(string id, HttpContext context, JobManager jobs)
    {
        jobs.Require(id);
        CancellationToken cancel = context.RequestAborted;
        if (context.WebSockets.IsWebSocketRequest)
        {
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await FollowAsync(jobs, id, text => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel), cancel).ConfigureAwait(false);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "job finished", cancel).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(cancel).ConfigureAwait(false);
        await FollowAsync(jobs, id, async text =>
        {
            await context.Response.WriteAsync(text, cancel).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancel).ConfigureAwait(false);
        }, cancel).ConfigureAwait(false);
    }

    /// <summary>Sends the job's log as it grows, until the job has ended and everything was sent.</summary>
    internal static async Task FollowAsync(JobManager jobs, string id, Func<string, Task> send, CancellationToken cancel)
    {
        string path = jobs.LogPath(id);
        Decoder decoder = Encoding.UTF8.GetDecoder();
        byte[] bytes = new byte[16384];
        char[] chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        FileStream? stream = null;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                bool ended = jobs.Get(id) is not { } job || job.Status.IsTerminal();
                if (stream is null && File.Exists(path))
                {
                    stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }

                int read = 0;
                while (stream is not null && (read = await stream.ReadAsync(bytes, cancel).ConfigureAwait(false)) > 0)
                {
                    int count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                    if (count > 0)
                    {
                        await send(new string(chars, 0, count)).ConfigureAwait(false);
                    }
                }

                if (ended)
                {
                    return;
                }

                await Task.Delay(100, cancel).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
