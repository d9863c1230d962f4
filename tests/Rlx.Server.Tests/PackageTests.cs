using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rlx.Server.Client;

namespace Rlx.Server.Tests;

/// <summary>Package upload endpoints and working directories.</summary>
public sealed class PackageTests
{
    private static byte[] Zip(params (string Name, string Content, int? UnixMode)[] entries)
    {
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, string content, int? mode) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name);
                if (mode is { } m)
                {
                    entry.ExternalAttributes = m << 16;
                }

                using var writer = new StreamWriter(entry.Open());
                writer.Write(content);
            }
        }

        return bytes.ToArray();
    }

    [Fact]
    public async Task Upload_ThenExists_ThenJobRunsInUnpackedWorkingDir()
    {
        await using TestHead head = await TestHead.StartAsync();
        const string name = "_ray_pkg_0123456789abcdef.zip";
        Assert.Equal(HttpStatusCode.NotFound, (await head.Http.GetAsync($"/api/packages/gcs/{name}")).StatusCode);
        HttpResponseMessage put = await head.Http.PutAsync($"/api/packages/gcs/{name}", new ByteArrayContent(Zip(("run.sh", "echo from-package; cat data/x.txt", null), ("data/x.txt", "payload", null))));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await head.Http.GetAsync($"/api/packages/gcs/{name}")).StatusCode);

        HttpResponseMessage submit = await head.Http.PostAsJsonAsync("/api/jobs/", new { entrypoint = "sh run.sh", runtime_env = new { working_dir = $"gcs://{name}" } });
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        string id = (await submit.Content.ReadFromJsonAsync<JsonObject>())!["submission_id"]!.GetValue<string>();
        JsonObject job = await head.WaitForEndAsync(id);
        Assert.Equal("SUCCEEDED", job["status"]!.GetValue<string>());
        Assert.Equal("from-package\npayload", (await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>());
        Assert.Equal($"gcs://{name}", job["runtime_env"]!["working_dir"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    [InlineData("C:/escape.txt")]
    public async Task Upload_EscapingPaths_Refused(string entry)
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage put = await head.Http.PutAsync("/api/packages/gcs/_ray_pkg_bad.zip", new ByteArrayContent(Zip((entry, "x", null))));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("escapes the working directory", (await put.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await head.Http.GetAsync("/api/packages/gcs/_ray_pkg_bad.zip")).StatusCode);
    }

    [Fact]
    public async Task Upload_Symlink_Refused()
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage put = await head.Http.PutAsync("/api/packages/gcs/_ray_pkg_link.zip", new ByteArrayContent(Zip(("link", "/etc/passwd", 0xA1FF))));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("symbolic link", (await put.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_Oversized_Is413()
    {
        await using TestHead head = await TestHead.StartAsync(o => o with { MaxUploadBytes = 1000 });
        HttpResponseMessage put = await head.Http.PutAsync("/api/packages/gcs/_ray_pkg_big.zip", new ByteArrayContent(new byte[5000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        Assert.Contains("limit", (await put.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_UnpacksTooLarge_Is413()
    {
        await using TestHead head = await TestHead.StartAsync(o => o with { MaxUnpackedBytes = 10_000 });
        HttpResponseMessage put = await head.Http.PutAsync("/api/packages/gcs/_ray_pkg_bomb.zip", new ByteArrayContent(Zip(("zeros", new string('0', 50_000), null))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
    }

    [Theory]
    [InlineData("/api/packages/s3/_ray_pkg_a.zip", "protocol")]
    [InlineData("/api/packages/gcs/notazip.tar", "not valid")]
    public async Task Upload_BadNames_Are400(string path, string expected)
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage put = await head.Http.PutAsync(path, new ByteArrayContent(Zip(("a", "b", null))));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains(expected, (await put.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_NotAZip_Is400()
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage put = await head.Http.PutAsync("/api/packages/gcs/_ray_pkg_junk.zip", new ByteArrayContent(Encoding.UTF8.GetBytes("not a zip")));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public void WorkingDirPackage_SameContent_SameUri_DifferentContent_DifferentUri()
    {
        string dir = Directory.CreateTempSubdirectory("rlx-wd-").FullName;
        File.WriteAllText(Path.Combine(dir, "a.txt"), "one");
        (string first, _) = WorkingDirPackage.Create(dir);
        (string again, _) = WorkingDirPackage.Create(dir);
        File.WriteAllText(Path.Combine(dir, "a.txt"), "two");
        (string changed, _) = WorkingDirPackage.Create(dir);
        Assert.Equal(first, again);
        Assert.NotEqual(first, changed);
        Assert.Matches("^gcs://_ray_pkg_[0-9a-f]{32}\\.zip$", first);
    }
}
