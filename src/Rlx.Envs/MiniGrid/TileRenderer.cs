using System.Collections.Concurrent;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// MiniGrid's tile rendering, exact to the byte: every cell drawn on a 3x supersampled tile (grid lines,
/// the object's shapes, the agent's triangle, the view highlight), then averaged down. The shape tests
/// repeat MiniGrid's arithmetic, including where numpy computes in float32, so edge pixels agree.
/// Tiles are computed once per tile size and shared.
/// </summary>
internal sealed class TileRenderer
{
    private const int Subdivisions = 3;
    private const int TypeCount = 10;
    private const int ColorCount = 6;
    private const int StateCount = 3;
    private const int AgentStates = 5;

    private static readonly ConcurrentDictionary<int, TileRenderer> BySize = new();

    private static readonly byte[][] Palette =
    [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [112, 39, 195],
        [255, 255, 0],
        [100, 100, 100],
    ];

    private readonly byte[]?[] _tiles = new byte[TypeCount * ColorCount * StateCount * AgentStates * 2][];

    private TileRenderer(int tileSize)
    {
        TileSize = tileSize;
        var objects = new List<WorldObject> { WorldObject.None };
        for (int type = (int)ObjectType.Wall; type <= (int)ObjectType.Lava; type++)
        {
            for (int color = 0; color < ColorCount; color++)
            {
                for (int state = 0; state < (type == (int)ObjectType.Door ? StateCount : 1); state++)
                {
                    objects.Add(new WorldObject((ObjectType)type, (ObjectColor)color, (byte)state));
                }
            }
        }

        foreach (WorldObject obj in objects)
        {
            for (int agent = -1; agent < 4; agent++)
            {
                _tiles[Key(obj, agent, false)] = Draw(obj, agent, false);
                _tiles[Key(obj, agent, true)] = Draw(obj, agent, true);
            }
        }
    }

    /// <summary>Pixels per tile side.</summary>
    public int TileSize { get; }

    /// <summary>The shared renderer for <paramref name="tileSize"/>.</summary>
    public static TileRenderer For(int tileSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        return BySize.GetOrAdd(tileSize, static size => new TileRenderer(size));
    }

    /// <summary>The tile (row-major RGB bytes, <see cref="TileSize"/> squared) of <paramref name="obj"/>, with the agent facing <paramref name="agentDirection"/> on it (-1: no agent).</summary>
    public ReadOnlySpan<byte> Tile(WorldObject obj, int agentDirection, bool highlight) =>
        _tiles[Key(obj, agentDirection, highlight)] ?? throw new ArgumentException($"No tile for {obj}.", nameof(obj));

    /// <summary>Writes the tile of one cell into an image <paramref name="imageWidth"/> pixels wide (row, column, channel order).</summary>
    public void Blit(Span<float> image, int imageWidth, int cellX, int cellY, WorldObject obj, int agentDirection, bool highlight)
    {
        ReadOnlySpan<byte> tile = Tile(obj, agentDirection, highlight);
        int ts = TileSize;
        for (int y = 0; y < ts; y++)
        {
            int row = (((cellY * ts) + y) * imageWidth) + (cellX * ts);
            ReadOnlySpan<byte> source = tile.Slice(y * ts * 3, ts * 3);
            Span<float> destination = image.Slice(row * 3, ts * 3);
            for (int k = 0; k < source.Length; k++)
            {
                destination[k] = source[k];
            }
        }
    }

    private static int Key(WorldObject obj, int agentDirection, bool highlight)
    {
        int type = obj.IsEmpty ? 0 : (int)obj.Type;
        int color = obj.IsEmpty ? 0 : (int)obj.Color;
        int state = obj.Type == ObjectType.Door ? obj.State : 0;
        return (((((((type * ColorCount) + color) * StateCount) + state) * AgentStates) + agentDirection + 1) * 2) + (highlight ? 1 : 0);
    }

    private byte[] Draw(WorldObject obj, int agentDirection, bool highlight)
    {
        int size = TileSize * Subdivisions;
        var canvas = new Canvas(size);
        byte[] grey = Palette[(int)ObjectColor.Grey];
        canvas.Fill(Rect(0, 0.031, 0, 1), grey[0], grey[1], grey[2]);
        canvas.Fill(Rect(0, 1, 0, 0.031), grey[0], grey[1], grey[2]);
        if (!obj.IsEmpty)
        {
            DrawObject(canvas, obj);
        }

        if (agentDirection >= 0)
        {
            Shape triangle = Triangle(0.12f, 0.19f, 0.87f, 0.50f, 0.12f, 0.81f);
            double theta = 0.5 * Math.PI * agentDirection;
            double cos = Math.Cos(-theta);
            double sin = Math.Sin(-theta);
            canvas.Fill(
                (x, y) =>
                {
                    x -= 0.5;
                    y -= 0.5;
                    double x2 = 0.5 + (x * cos) - (y * sin);
                    double y2 = 0.5 + (y * cos) + (x * sin);
                    return triangle(x2, y2);
                },
                255,
                0,
                0);
        }

        if (highlight)
        {
            canvas.Highlight();
        }

        return canvas.Downsample(Subdivisions);
    }

    private static void DrawObject(Canvas canvas, WorldObject obj)
    {
        byte[] c = Palette[(int)obj.Color];
        switch (obj.Type)
        {
            case ObjectType.Goal:
            case ObjectType.Wall:
                canvas.Fill(Rect(0, 1, 0, 1), c[0], c[1], c[2]);
                break;
            case ObjectType.Floor:
                canvas.Fill(Rect(0.031, 1, 0.031, 1), c[0] / 2.0, c[1] / 2.0, c[2] / 2.0);
                break;
            case ObjectType.Lava:
                canvas.Fill(Rect(0, 1, 0, 1), 255, 128, 0);
                for (int i = 0; i < 3; i++)
                {
                    double ylo = 0.3 + (0.2 * i);
                    double yhi = 0.4 + (0.2 * i);
                    canvas.Fill(Line(0.1, ylo, 0.3, yhi, 0.03), 0, 0, 0);
                    canvas.Fill(Line(0.3, yhi, 0.5, ylo, 0.03), 0, 0, 0);
                    canvas.Fill(Line(0.5, ylo, 0.7, yhi, 0.03), 0, 0, 0);
                    canvas.Fill(Line(0.7, yhi, 0.9, ylo, 0.03), 0, 0, 0);
                }

                break;
            case ObjectType.Door when obj.IsOpen:
                canvas.Fill(Rect(0.88, 1.00, 0.00, 1.00), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.92, 0.96, 0.04, 0.96), 0, 0, 0);
                break;
            case ObjectType.Door when obj.IsLocked:
                canvas.Fill(Rect(0.00, 1.00, 0.00, 1.00), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.06, 0.94, 0.06, 0.94), 0.45 * c[0], 0.45 * c[1], 0.45 * c[2]);
                canvas.Fill(Rect(0.52, 0.75, 0.50, 0.56), c[0], c[1], c[2]);
                break;
            case ObjectType.Door:
                canvas.Fill(Rect(0.00, 1.00, 0.00, 1.00), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.04, 0.96, 0.04, 0.96), 0, 0, 0);
                canvas.Fill(Rect(0.08, 0.92, 0.08, 0.92), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.12, 0.88, 0.12, 0.88), 0, 0, 0);
                canvas.Fill(Circle(0.75, 0.50, 0.08), c[0], c[1], c[2]);
                break;
            case ObjectType.Key:
                canvas.Fill(Rect(0.50, 0.63, 0.31, 0.88), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.38, 0.50, 0.59, 0.66), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.38, 0.50, 0.81, 0.88), c[0], c[1], c[2]);
                canvas.Fill(Circle(0.56, 0.28, 0.190), c[0], c[1], c[2]);
                canvas.Fill(Circle(0.56, 0.28, 0.064), 0, 0, 0);
                break;
            case ObjectType.Ball:
                canvas.Fill(Circle(0.5, 0.5, 0.31), c[0], c[1], c[2]);
                break;
            case ObjectType.Box:
                canvas.Fill(Rect(0.12, 0.88, 0.12, 0.88), c[0], c[1], c[2]);
                canvas.Fill(Rect(0.18, 0.82, 0.18, 0.82), 0, 0, 0);
                canvas.Fill(Rect(0.16, 0.84, 0.47, 0.53), c[0], c[1], c[2]);
                break;
        }
    }

    private delegate bool Shape(double x, double y);

    private static Shape Rect(double xmin, double xmax, double ymin, double ymax) =>
        (x, y) => x >= xmin && x <= xmax && y >= ymin && y <= ymax;

    private static Shape Circle(double cx, double cy, double r) =>
        (x, y) => ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= r * r;

    // numpy: the end points and direction are float32; the projection is float64, but a * dir is float32.
    private static Shape Line(double x0, double y0, double x1, double y1, double r)
    {
        float p0x = (float)x0;
        float p0y = (float)y0;
        float dx = (float)x1 - p0x;
        float dy = (float)y1 - p0y;
        float dist = MathF.Sqrt((dx * dx) + (dy * dy));
        dx /= dist;
        dy /= dist;
        double xmin = Math.Min(x0, x1) - r;
        double xmax = Math.Max(x0, x1) + r;
        double ymin = Math.Min(y0, y1) - r;
        double ymax = Math.Max(y0, y1) + r;
        return (x, y) =>
        {
            if (x < xmin || x > xmax || y < ymin || y > ymax)
            {
                return false;
            }

            double pqx = x - p0x;
            double pqy = y - p0y;
            double a = (pqx * dx) + (pqy * dy);
            a = Math.Clamp(a, 0, dist);
            float af = (float)a;
            float px = p0x + (af * dx);
            float py = p0y + (af * dy);
            double ex = x - px;
            double ey = y - py;
            return Math.Sqrt((ex * ex) + (ey * ey)) <= r;
        };
    }

    // numpy: vertices float32; dot products of float32 vectors in float32, with the point in float64.
    private static Shape Triangle(float ax, float ay, float bx, float by, float cx, float cy)
    {
        float v0x = cx - ax;
        float v0y = cy - ay;
        float v1x = bx - ax;
        float v1y = by - ay;
        float dot00 = (v0x * v0x) + (v0y * v0y);
        float dot01 = (v0x * v1x) + (v0y * v1y);
        float dot11 = (v1x * v1x) + (v1y * v1y);
        double invDenom = 1 / (double)((dot00 * dot11) - (dot01 * dot01));
        return (x, y) =>
        {
            double v2x = x - ax;
            double v2y = y - ay;
            double dot02 = (v0x * v2x) + (v0y * v2y);
            double dot12 = (v1x * v2x) + (v1y * v2y);
            double u = ((dot11 * dot02) - (dot01 * dot12)) * invDenom;
            double v = ((dot00 * dot12) - (dot01 * dot02)) * invDenom;
            return u >= 0 && v >= 0 && (u + v) < 1;
        };
    }

    private sealed class Canvas(int size)
    {
        private readonly byte[] _pixels = new byte[size * size * 3];

        public void Fill(Shape shape, double r, double g, double b)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    double yf = (y + 0.5) / size;
                    double xf = (x + 0.5) / size;
                    if (shape(xf, yf))
                    {
                        int o = ((y * size) + x) * 3;
                        _pixels[o] = (byte)r;
                        _pixels[o + 1] = (byte)g;
                        _pixels[o + 2] = (byte)b;
                    }
                }
            }
        }

        public void Highlight()
        {
            for (int i = 0; i < _pixels.Length; i++)
            {
                double blended = _pixels[i] + (0.30 * (byte)(255 - _pixels[i]));
                _pixels[i] = (byte)Math.Clamp(blended, 0, 255);
            }
        }

        public byte[] Downsample(int factor)
        {
            int outSize = size / factor;
            var tile = new byte[outSize * outSize * 3];
            for (int ty = 0; ty < outSize; ty++)
            {
                for (int tx = 0; tx < outSize; tx++)
                {
                    for (int ch = 0; ch < 3; ch++)
                    {
                        // numpy: mean over the sub-columns (axis 3), then over the sub-rows (axis 1), in float64.
                        double total = 0;
                        for (int sy = 0; sy < factor; sy++)
                        {
                            double row = 0;
                            for (int sx = 0; sx < factor; sx++)
                            {
                                row += _pixels[((((ty * factor) + sy) * size) + (tx * factor) + sx) * 3 + ch];
                            }

                            total = sy == 0 ? row / factor : total + (row / factor);
                        }

                        tile[(((ty * outSize) + tx) * 3) + ch] = (byte)(total / factor);
                    }
                }
            }

            return tile;
        }
    }
}
