namespace Rlx.Environments.MiniGrid;

/// <summary>A rectangular grid of <see cref="WorldObject"/> cells, indexed (x, y) with x the column.</summary>
public sealed class Grid
{
    private readonly WorldObject[] _cells;

    /// <summary>Creates an empty grid.</summary>
    public Grid(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 3);
        Width = width;
        Height = height;
        _cells = new WorldObject[width * height];
    }

    /// <summary>Number of columns.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>The object at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public WorldObject this[int x, int y]
    {
        get => _cells[Index(x, y)];
        set => _cells[Index(x, y)] = value;
    }

    /// <summary>Removes every object.</summary>
    public void Clear() => Array.Clear(_cells);

    /// <summary>True if (<paramref name="x"/>, <paramref name="y"/>) lies inside the grid.</summary>
    public bool Contains(int x, int y) => (uint)x < (uint)Width && (uint)y < (uint)Height;

    /// <summary>A horizontal run of <paramref name="obj"/> from (x, y), <paramref name="length"/> cells (default: to the edge).</summary>
    public void HorizontalWall(int x, int y, int? length = null, WorldObject? obj = null)
    {
        int n = length ?? (Width - x);
        for (int i = 0; i < n; i++)
        {
            this[x + i, y] = obj ?? WorldObject.Wall;
        }
    }

    /// <summary>A vertical run of <paramref name="obj"/> from (x, y), <paramref name="length"/> cells (default: to the edge).</summary>
    public void VerticalWall(int x, int y, int? length = null, WorldObject? obj = null)
    {
        int n = length ?? (Height - y);
        for (int j = 0; j < n; j++)
        {
            this[x, y + j] = obj ?? WorldObject.Wall;
        }
    }

    /// <summary>The walls of a <paramref name="w"/>-by-<paramref name="h"/> rectangle with top-left corner (x, y).</summary>
    public void WallRect(int x, int y, int w, int h)
    {
        HorizontalWall(x, y, w);
        HorizontalWall(x, y + h - 1, w);
        VerticalWall(x, y, h);
        VerticalWall(x + w - 1, y, h);
    }

    private int Index(int x, int y)
    {
        if (!Contains(x, y))
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"Cell ({x}, {y}) is outside the {Width}x{Height} grid.");
        }

        return (y * Width) + x;
    }
}
