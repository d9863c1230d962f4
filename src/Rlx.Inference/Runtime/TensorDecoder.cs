using System.Buffers.Binary;
using Rlx.Inference.Proto;

namespace Rlx.Inference.Runtime;

/// <summary>Turns a stored <see cref="TensorProto"/> (an initializer or a tensor attribute) into a constant <see cref="Tensor"/>.</summary>
internal static class TensorDecoder
{
    public static Tensor Decode(TensorProto proto, string what)
    {
        if (proto.IsExternal)
        {
            throw new NotSupportedException(
                $"{what} keeps its data in an external file, which Rlx.Inference does not read; save the model with its weights inside the .onnx file.");
        }

        if (!DataTypes.IsSupported(proto.DataType))
        {
            throw new NotSupportedException($"{what} has data type {DataTypes.Name(proto.DataType)}; {DataTypes.Supported}.");
        }

        var shape = new int[proto.Dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (proto.Dims[i] < 0 || proto.Dims[i] > int.MaxValue)
            {
                throw new InvalidDataException($"{what} has dimension {proto.Dims[i]}.");
            }

            shape[i] = (int)proto.Dims[i];
        }

        var tensor = new Tensor(proto.Name) { IsConstant = true };
        var type = (ElementType)proto.DataType;
        tensor.Resize(type, shape);
        int n = tensor.Length;
        byte[]? raw = proto.RawData;
        int size = type switch { ElementType.Float => 4, ElementType.Int64 => 8, _ => 1 };
        int typed = type switch { ElementType.Float => proto.FloatData.Count, ElementType.Int64 => proto.Int64Data.Count, _ => proto.Int32Data.Count };
        if (raw is not null && raw.Length != n * size)
        {
            throw new InvalidDataException($"{what} has {raw.Length} bytes of raw_data; its shape {tensor.ShapeText()} needs {n * size}.");
        }

        if (raw is null && typed != n)
        {
            throw new InvalidDataException($"{what} has {typed} stored values; its shape {tensor.ShapeText()} needs {n}.");
        }

        for (int i = 0; i < n; i++)
        {
            switch (type)
            {
                case ElementType.Float:
                    tensor.Floats[i] = raw is null ? proto.FloatData[i] : BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i)));
                    break;
                case ElementType.Int64:
                    tensor.Longs[i] = raw is null ? proto.Int64Data[i] : BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i));
                    break;
                default:
                    tensor.Bools[i] = raw is null ? proto.Int32Data[i] != 0 : raw[i] != 0;
                    break;
            }
        }

        return tensor;
    }
}
