using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rlx.Server.Cluster;
using Rlx.Server.Jobs;
using Rlx.Server.Metrics;

namespace Rlx.Server.Hosting;

/// <summary>Rlx's own APIs under <c>/api/rlx/</c> (what the dashboard reads) and Prometheus <c>/metrics</c>.</summary>
internal static class RlxEndpoints
{
    public static void Map(IEndpointRouteBuilder app, IClusterView cluster, TrainingMetricsStore metrics, JobManager jobs)
    {
        app.MapGet("/api/rlx/cluster", () =>
        {
            ClusterSnapshot snapshot = cluster.Snapshot();
            return Results.Json(new { snapshot.Time, Summary = ClusterSummary.Of(snapshot), snapshot.Nodes, snapshot.Runners }, ApiJson.Rlx);
        });

        app.MapGet("/api/rlx/runs", () => Results.Json(
            metrics.Runs().Select(r => new { r.RunId, r.RowsReceived, r.UpdatedAt, Latest = RowJson(r.Latest) }),
            ApiJson.Rlx));

        app.MapGet("/api/rlx/runs/{run}/metrics", (string run, long? after) =>
            metrics.Rows(run, after ?? -1) is { } rows
                ? Results.Json(new { RunId = run, Rows = rows.Select(RowJson) }, ApiJson.Rlx)
                : JobsEndpoints.Error(404, $"Run {run} has no metrics: push rows with POST /api/rlx/runs/{run}/metrics (rlx train --dashboard URL does)."));

        app.MapPost("/api/rlx/runs/{run}/metrics", async (string run, HttpRequest request) =>
        {
            using JsonDocument body = await ReadBody(request, run, "Run", "metrics",
                "send one result row as an object of numbers, or an array of them").ConfigureAwait(false);
            JsonElement root = body.RootElement;
            IEnumerable<JsonElement> rows = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray() : [root];
            int accepted = 0;
            foreach (JsonElement row in rows)
            {
                if (row.ValueKind != JsonValueKind.Object)
                {
                    throw new JobApiException("Each metrics row must be a JSON object of numbers, e.g. {\"training_iteration\": 1, \"charts/episodic_return\": 21.5}.");
                }

                metrics.Append(run, row.EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.Number)
                    .Select(p => new KeyValuePair<string, double>(p.Name, p.Value.GetDouble())));
                accepted++;
            }

            return Results.Json(new Dictionary<string, int> { ["accepted"] = accepted });
        });

        app.MapGet("/api/rlx/experiments", () => Results.Json(
            metrics.Experiments().Select(e => new { e.ExperimentId, e.UpdatedAt }),
            ApiJson.Rlx));

        app.MapGet("/api/rlx/experiments/{experiment}", (string experiment) =>
            metrics.Experiment(experiment) is { } state
                ? Results.Text(state.Json, "application/json")
                : JobsEndpoints.Error(404, $"Experiment {experiment} is unknown: rlx tune --dashboard URL sends its state here (PUT /api/rlx/experiments/{experiment})."));

        app.MapPut("/api/rlx/experiments/{experiment}", async (string experiment, HttpRequest request) =>
        {
            using JsonDocument body = await ReadBody(request, experiment, "Experiment", "experiment", "send the experiment's experiment.json").ConfigureAwait(false);
            if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("trials", out JsonElement trials) || trials.ValueKind != JsonValueKind.Array)
            {
                throw new JobApiException("An experiment is a JSON object with a \"trials\" array, as rlx tune writes experiment.json.");
            }

            metrics.PutExperiment(experiment, body.RootElement.GetRawText());
            return Results.Json(new Dictionary<string, int> { ["trials"] = trials.GetArrayLength() });
        });

        var prometheus = new HeadMetrics(cluster.Snapshot, jobs.List, metrics);
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = HeadMetrics.ContentType;
            await prometheus.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }

    // The id in the path checked, then the body parsed as JSON; either mistake is a 400 naming the fix.
    private static async Task<JsonDocument> ReadBody(HttpRequest request, string id, string kind, string body, string fix)
    {
        if (!TrainingMetricsStore.IsValidRunId(id))
        {
            throw new JobApiException($"{kind} id '{id}' is not valid: use 1-128 letters, digits, '_', '-' or '.'.");
        }

        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new JobApiException($"The {body} body is not JSON ({e.Message}); {fix}.", e);
        }
    }

    private static object RowJson(MetricsRow row) => new { row.Sequence, row.Iteration, row.TimeS, row.Values };
}
