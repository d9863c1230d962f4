namespace Rlx.Environments.MinAtar;

/// <summary>One moving object of Seaquest: a Python list <c>[x, y, direction, timer, shot timer]</c>.</summary>
/// <remarks>Kinds with fewer fields leave the rest 0, so comparing all five is Python's list equality.</remarks>
internal sealed class PyObject
{
    public int X;
    public int Y;
    public bool Right;
    public int Timer;
    public int ShotTimer;

    public bool ValueEquals(PyObject other) =>
        X == other.X && Y == other.Y && Right == other.Right && Timer == other.Timer && ShotTimer == other.ShotTimer;
}

/// <summary>
/// A Python list of <see cref="PyObject"/> references with the two behaviours Seaquest depends on:
/// <c>remove(x)</c> deletes the first element equal in value (not necessarily <c>x</c> itself), and
/// iterating <c>reversed(list)</c> while removing visits indices downwards and stops as soon as the index
/// falls outside the shrunken list. Objects come from a shared pool; removed ones return to it only when
/// <see cref="ObjectPool.Release"/> runs at the end of a step, because Python code may still read them.
/// </summary>
internal sealed class PyObjectList
{
    private readonly ObjectPool _pool;
    private PyObject[] _items = new PyObject[16];

    public PyObjectList(ObjectPool pool) => _pool = pool;

    public int Count { get; private set; }

    public PyObject this[int index] => _items[index];

    public PyObject Add(int x, int y, bool right, int timer = 0, int shotTimer = 0)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        PyObject item = _pool.Rent();
        (item.X, item.Y, item.Right, item.Timer, item.ShotTimer) = (x, y, right, timer, shotTimer);
        _items[Count++] = item;
        return item;
    }

    /// <summary>Python's <c>list.remove(value)</c>.</summary>
    public void Remove(PyObject value)
    {
        for (int i = 0; i < Count; i++)
        {
            if (ReferenceEquals(_items[i], value) || _items[i].ValueEquals(value))
            {
                _pool.Retire(_items[i]);
                Array.Copy(_items, i + 1, _items, i, Count - i - 1);
                _items[--Count] = null!;
                return;
            }
        }

        throw new InvalidOperationException("list.remove(x): x not in list");
    }

    public void Clear()
    {
        for (int i = 0; i < Count; i++)
        {
            _pool.Retire(_items[i]);
            _items[i] = null!;
        }

        Count = 0;
    }
}

/// <summary>Recycles <see cref="PyObject"/>s so a running game allocates nothing once warmed up.</summary>
internal sealed class ObjectPool
{
    private PyObject[] _free = new PyObject[64];
    private int _freeCount;
    private PyObject[] _retired = new PyObject[16];
    private int _retiredCount;

    public PyObject Rent() => _freeCount > 0 ? _free[--_freeCount] : new PyObject();

    public void Retire(PyObject item)
    {
        if (_retiredCount == _retired.Length)
        {
            Array.Resize(ref _retired, _retired.Length * 2);
        }

        _retired[_retiredCount++] = item;
    }

    /// <summary>Returns every retired object to the free list.</summary>
    public void Release()
    {
        for (int i = 0; i < _retiredCount; i++)
        {
            if (_freeCount == _free.Length)
            {
                Array.Resize(ref _free, _free.Length * 2);
            }

            _free[_freeCount++] = _retired[i];
            _retired[i] = null!;
        }

        _retiredCount = 0;
    }
}
