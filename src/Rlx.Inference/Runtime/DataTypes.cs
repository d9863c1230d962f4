namespace Rlx.Inference.Runtime;

/// <summary>Names of ONNX data types for error messages, and the check that a type is one Rlx.Inference computes with.</summary>
internal static class DataTypes
{
    private static readonly string[] Names =
    [
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
        "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    ];

    /// <summary>The ONNX name of a data type number, e.g. <c>DOUBLE (11)</c>.</summary>
    public static string Name(int dataType) =>
        dataType >= 0 && dataType < Names.Length ? $"{Names[dataType]} ({dataType})" : $"data type {dataType}";

    /// <summary>True for float32, int64 and bool.</summary>
    public static bool IsSupported(int dataType) =>
        dataType is (int)ElementType.Float or (int)ElementType.Int64 or (int)ElementType.Bool;

    /// <summary>The sentence every refusal of a data type ends with.</summary>
    public const string Supported = "Rlx.Inference computes with FLOAT (float32), INT64 and BOOL tensors";
}
