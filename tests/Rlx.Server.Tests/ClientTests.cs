using System.Text.Json.Nodes;
using Rlx.Server.Client;
using Rlx.Server.Jobs;

namespace Rlx.Server.Tests;

/// <summary>The C# JobSubmissionClient against a real head.</summary>
public sealed class ClientTests
{
    [Fact]
    public async Task Client_SubmitWithLocalWorkingDir_TailsLogs_ListsAndDeletes()
    {
        await using TestHead head = await TestHead.StartAsync();
        using var client = new JobSubmissionClient(head.Url);
        string dir = Directory.CreateTempSubdirectory("rlx-client-wd-").FullName;
        File.WriteAllText(Path.Combine(dir, "hello.txt"), "hi from the working dir");

        Assert.Equal("4", (await client.GetVersionAsync())["version"]);
        string id = await client.SubmitJobAsync(new JobSubmitRequest
        {
            Entrypoint = "cat hello.txt; echo; sleep 0.3; echo done",
            RuntimeEnv = new JsonObject { ["working_dir"] = dir },
            Metadata = new Dictionary<string, string> { ["owner"] = "tests" },
        });

        var text = new System.Text.StringBuilder();
        await foreach (string chunk in client.TailJobLogsAsync(id))
        {
            text.Append(chunk);
        }

        Assert.Equal("hi from the working dir\ndone\n", text.ToString());
        Assert.Equal(JobStatus.Succeeded, await client.GetJobStatusAsync(id));
        JobDetails info = await client.GetJobInfoAsync(id);
        Assert.StartsWith("gcs://_ray_pkg_", info.RuntimeEnv!["working_dir"]!.GetValue<string>());
        Assert.Equal("tests", info.Metadata!["owner"]);
        Assert.Equal("hi from the working dir\ndone\n", await client.GetJobLogsAsync(id));
        Assert.Contains(await client.ListJobsAsync(), j => j.SubmissionId == id);
        Assert.False(await client.StopJobAsync(id));
        Assert.True(await client.DeleteJobAsync(id));
        var missing = await Assert.ThrowsAsync<JobSubmissionException>(() => client.GetJobInfoAsync(id));
        Assert.Equal(404, missing.StatusCode);
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public async Task Client_UnreachableHead_SaysHowToFixIt()
    {
        using var client = new JobSubmissionClient(new Uri("http://127.0.0.1:1"));
        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => client.ListJobsAsync());
        Assert.Contains("Cannot reach the head", error.Message);
        Assert.Null(error.StatusCode);
    }

    [Theory]
    [InlineData(null, null, "http://127.0.0.1:8265/")]
    [InlineData(null, "10.0.0.5:5672", "http://10.0.0.5:8265/")]
    [InlineData(null, "http://head:9000", "http://head:9000/")]
    [InlineData("http://other:8300/", "10.0.0.5:5672", "http://other:8300/")]
    [InlineData("myhead:8400", null, "http://myhead:8400/")]
    [InlineData("myhead", null, "http://myhead:8265/")]
    public void HeadAddress_Resolves(string? explicitAddress, string? rlxAddress, string expected) =>
        Assert.Equal(expected, HeadAddress.Resolve(explicitAddress, name => name == "RLX_ADDRESS" ? rlxAddress : null).ToString());
}
