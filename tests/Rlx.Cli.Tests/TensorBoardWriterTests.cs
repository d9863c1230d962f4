using Rlx.Runtime.Runs;

namespace Rlx.Cli.Tests;

public sealed class TensorBoardWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("rlx-tfevents-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Crc32C_StandardCheckValue()
    {
        Assert.Equal(0xE3069283u, EventFileDecoder.Crc32C("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32C_EqualsTheBitwiseReferenceForEveryLengthUpTo100()
    {
        var random = new System.Random(7);
        for (int length = 0; length <= 100; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(EventFileDecoder.Crc32C(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void Append_WritesAVersionRecordThenOneEventPerRowTaggedByKeyAtTheTimestepsStep()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir, new FixedClock(Now)))
        {
            path = writer.FilePath;
            writer.Append([new("training_iteration", 2), new("timesteps_total", 1024), new("charts/episodic_return", 21.5), new("losses/approx_kl", double.NaN), new("charts/SPS", 1e9)]);
            writer.Append([new("charts/learning_rate", 2.5e-4)]);
        }

        Assert.Equal($"events.out.tfevents.{Now.ToUnixTimeSeconds()}.{Environment.MachineName}", Path.GetFileName(path));
        List<TfEvent> events = EventFileDecoder.Read(path);
        Assert.Equal(3, events.Count);
        double wallTime = (Now - DateTimeOffset.UnixEpoch).TotalSeconds;
        Assert.Equal(wallTime, events[0].WallTime);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Values);
        Assert.Equal(wallTime, events[1].WallTime);
        Assert.Equal(1024, events[1].Step);
        Assert.Null(events[1].FileVersion);
        Assert.Equal([new("training_iteration", 2f), new("timesteps_total", 1024f), new("charts/episodic_return", 21.5f), new("charts/SPS", 1e9f)], events[1].Values);
        Assert.Equal(1, events[2].Step); // no timesteps_total: the row's index
        Assert.Equal([new("charts/learning_rate", 2.5e-4f)], events[2].Values);
    }

    [Fact]
    public void Append_OnceWarm_AllocatesNothingPerRow()
    {
        KeyValuePair<string, double>[] row = [new("training_iteration", 1), new("timesteps_total", 512), new("charts/episodic_return", 9.5), new("losses/value_loss", double.NaN), new("charts/SPS", 3000)];
        long perRow;
        string path;
        using (var writer = new TensorBoardWriter(_dir))
        {
            path = writer.FilePath;
            for (int i = 0; i < 10; i++)
            {
                writer.Append(row);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                writer.Append(row);
            }

            perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        }

        Assert.True(perRow == 0, $"{perRow} bytes allocated per row");
        Assert.Equal(1011, EventFileDecoder.Read(path).Count);
    }

    [Fact]
    public void Decode_AnyCorruptedByte_IsDetected()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir, new FixedClock(Now)))
        {
            path = writer.FilePath;
            writer.Append([new("timesteps_total", 512), new("charts/episodic_return", 9.5)]);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(2, EventFileDecoder.Decode(file).Count);
        for (int i = 0; i < file.Length; i++)
        {
            byte[] corrupt = (byte[])file.Clone();
            corrupt[i] ^= 0x10;
            var e = Assert.Throws<InvalidDataException>(() => EventFileDecoder.Decode(corrupt));
            Assert.Contains("CRC mismatch", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Constructor_SecondWriterInTheSameSecond_OpensAnotherFileAndLeavesTheFirstAlone()
    {
        string first;
        using (var writer = new TensorBoardWriter(_dir, new FixedClock(Now)))
        {
            first = writer.FilePath;
            writer.Append([new("timesteps_total", 512)]);
        }

        byte[] before = File.ReadAllBytes(first);
        using (var writer = new TensorBoardWriter(_dir, new FixedClock(Now)))
        {
            Assert.NotEqual(first, writer.FilePath);
            Assert.Contains("tfevents", Path.GetFileName(writer.FilePath), StringComparison.Ordinal);
            writer.Append([new("timesteps_total", 1024)]);
        }

        Assert.Equal(before, File.ReadAllBytes(first));
        Assert.Equal(2, Directory.GetFiles(_dir, "events.out.tfevents.*").Length);
    }
}
