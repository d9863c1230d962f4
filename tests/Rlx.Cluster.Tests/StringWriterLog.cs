namespace Rlx.Cluster.Tests;

/// <summary>A thread-safe growing log of a child process's output.</summary>
internal sealed class StringWriterLog
{
    private readonly System.Text.StringBuilder _text = new();
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public void Append(string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                _text.AppendLine(line);
            }
        }
    }
}
