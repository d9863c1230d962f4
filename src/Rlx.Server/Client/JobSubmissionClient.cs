using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Server.Jobs;

namespace Rlx.Server.Client;

/// <summary>
/// Client of the head's jobs API (and of Ray's: the endpoints and bodies are the same): submit with an
/// optional working directory, poll, read and follow logs, stop, delete, list.
/// </summary>
public sealed class JobSubmissionClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly HttpClient _http;
    private readonly string? _token;

    /// <summary>Creates a client of the services at <paramref name="address"/> (e.g. <c>http://127.0.0.1:8265</c>).</summary>
    /// <param name="address">The head's dashboard URL.</param>
    /// <param name="token">The head's access token, if it has one (sent as <c>Authorization: Bearer</c>).</param>
    /// <param name="handler">HTTP handler (tests); default a new one.</param>
    public JobSubmissionClient(Uri address, string? token = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = new Uri(address.ToString().TrimEnd('/') + "/");
        _token = string.IsNullOrEmpty(token) ? null : token;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = Address;
        _http.Timeout = TimeSpan.FromSeconds(60);
        if (_token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }
    }

    /// <summary>The services' base URL.</summary>
    public Uri Address { get; }

    /// <summary><c>GET /api/version</c>: <c>version</c>, <c>ray_version</c>, <c>ray_commit</c>, <c>session_name</c>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetVersionAsync(CancellationToken cancel = default) =>
        await SendAsync<Dictionary<string, string>>(HttpMethod.Get, "api/version", null, cancel).ConfigureAwait(false);

    /// <summary>
    /// <c>POST /api/jobs/</c>; returns the submission id. A <c>working_dir</c> naming a local directory is
    /// zipped and uploaded first (unless the head has it already) and replaced by its package URI.
    /// </summary>
    public async Task<string> SubmitJobAsync(JobSubmitRequest request, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RuntimeEnv?["working_dir"] is JsonValue dir && dir.TryGetValue(out string? path) && !path.Contains("://", StringComparison.Ordinal))
        {
            JsonObject env = request.RuntimeEnv.DeepClone().AsObject();
            env["working_dir"] = await UploadWorkingDirAsync(path, cancel).ConfigureAwait(false);
            request = request with { RuntimeEnv = env };
        }

        var response = await SendAsync<Dictionary<string, string>>(HttpMethod.Post, "api/jobs/", JsonContent.Create(request, options: Json), cancel).ConfigureAwait(false);
        return response["submission_id"];
    }

    /// <summary>Zips <paramref name="directory"/>, uploads it unless the head already has it, and returns its package URI.</summary>
    public async Task<string> UploadWorkingDirAsync(string directory, CancellationToken cancel = default)
    {
        (string uri, byte[] zip) = WorkingDirPackage.Create(directory);
        string endpoint = "api/packages/gcs/" + uri["gcs://".Length..];
        using (HttpResponseMessage exists = await Raw(HttpMethod.Get, endpoint, null, cancel).ConfigureAwait(false))
        {
            if (exists.IsSuccessStatusCode)
            {
                return uri;
            }
        }

        using HttpResponseMessage put = await Raw(HttpMethod.Put, endpoint, new ByteArrayContent(zip), cancel).ConfigureAwait(false);
        await EnsureSuccess(put, cancel).ConfigureAwait(false);
        return uri;
    }

    /// <summary><c>GET /api/jobs/{id}</c>.</summary>
    public Task<JobDetails> GetJobInfoAsync(string submissionId, CancellationToken cancel = default) =>
        SendAsync<JobDetails>(HttpMethod.Get, "api/jobs/" + Uri.EscapeDataString(submissionId), null, cancel);

    /// <summary>The job's status.</summary>
    public async Task<JobStatus> GetJobStatusAsync(string submissionId, CancellationToken cancel = default) =>
        (await GetJobInfoAsync(submissionId, cancel).ConfigureAwait(false)).Status;

    /// <summary><c>GET /api/jobs/</c>.</summary>
    public async Task<IReadOnlyList<JobDetails>> ListJobsAsync(CancellationToken cancel = default) =>
        await SendAsync<List<JobDetails>>(HttpMethod.Get, "api/jobs/", null, cancel).ConfigureAwait(false);

    /// <summary><c>GET /api/jobs/{id}/logs</c>: everything logged so far.</summary>
    public async Task<string> GetJobLogsAsync(string submissionId, CancellationToken cancel = default) =>
        (await SendAsync<Dictionary<string, string>>(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(submissionId)}/logs", null, cancel).ConfigureAwait(false))["logs"];

    /// <summary><c>POST /api/jobs/{id}/stop</c>; false if the job had already ended.</summary>
    public async Task<bool> StopJobAsync(string submissionId, CancellationToken cancel = default) =>
        (await SendAsync<Dictionary<string, bool>>(HttpMethod.Post, $"api/jobs/{Uri.EscapeDataString(submissionId)}/stop", null, cancel).ConfigureAwait(false))["stopped"];

    /// <summary><c>DELETE /api/jobs/{id}</c> (finished jobs only).</summary>
    public async Task<bool> DeleteJobAsync(string submissionId, CancellationToken cancel = default) =>
        (await SendAsync<Dictionary<string, bool>>(HttpMethod.Delete, "api/jobs/" + Uri.EscapeDataString(submissionId), null, cancel).ConfigureAwait(false))["deleted"];

    /// <summary>Follows the job's logs over the <c>/api/jobs/{id}/logs/tail</c> websocket: the log so far, then each new chunk, until the job ends.</summary>
    public async IAsyncEnumerable<string> TailJobLogsAsync(string submissionId, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        await GetJobInfoAsync(submissionId, cancel).ConfigureAwait(false);
        using var socket = new ClientWebSocket();
        if (_token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + _token);
        }

        var builder = new UriBuilder(new Uri(Address, $"api/jobs/{Uri.EscapeDataString(submissionId)}/logs/tail"));
        builder.Scheme = builder.Scheme == "https" ? "wss" : "ws";
        try
        {
            await socket.ConnectAsync(builder.Uri, cancel).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new JobSubmissionException($"Cannot follow the logs at {builder.Uri}: {e.Message}", e);
        }

        byte[] buffer = new byte[16384];
        var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, cancel).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                yield break;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                yield break;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                yield return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancel)
    {
        using HttpResponseMessage response = await Raw(method, path, content, cancel).ConfigureAwait(false);
        await EnsureSuccess(response, cancel).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(cancel).ConfigureAwait(false)
            ?? throw new JobSubmissionException($"The head answered {method} /{path} with an empty body.");
    }

    private async Task<HttpResponseMessage> Raw(HttpMethod method, string path, HttpContent? content, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await _http.SendAsync(request, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new JobSubmissionException($"Cannot reach the head at {Address} ({e.Message}). Start one with 'rlx start --head', or pass --address http://HOST:8265.", e);
        }
    }

    private static async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancel)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        string message = body;
        try
        {
            if (JsonNode.Parse(body)?["error"]?.GetValue<string>() is { } error)
            {
                message = error;
            }
        }
        catch (JsonException)
        {
        }

        throw new JobSubmissionException($"The head answered {(int)response.StatusCode}: {message}", (int)response.StatusCode);
    }
}
