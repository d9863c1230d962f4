namespace Rlx.Environments.Vector;

/// <summary>
/// A blocking FIFO of environment ids with fixed capacity (each env is in at most one queue at a time,
/// so capacity = number of envs never overflows). Allocation-free after construction.
/// </summary>
internal sealed class IdQueue(int capacity)
{
    private readonly int[] _items = new int[capacity];
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _closed;

    public void Enqueue(int id)
    {
        lock (_gate)
        {
            if (_count == _items.Length)
            {
                throw new InvalidOperationException("IdQueue overflow: an environment id was queued twice.");
            }

            _items[(_head + _count) % _items.Length] = id;
            _count++;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Waits for an id; false once the queue is closed.</summary>
    public bool TryDequeue(out int id)
    {
        lock (_gate)
        {
            while (_count == 0 && !_closed)
            {
                Monitor.Wait(_gate);
            }

            if (_count == 0)
            {
                id = -1;
                return false;
            }

            id = _items[_head];
            _head = (_head + 1) % _items.Length;
            _count--;
            return true;
        }
    }

    public int Dequeue() => TryDequeue(out int id) ? id : throw new ObjectDisposedException(nameof(IdQueue));

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
