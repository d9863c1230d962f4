namespace Rlx.Inference.Runtime;

/// <summary>The tensor element types Rlx.Inference computes with; the values are ONNX's data type numbers.</summary>
internal enum ElementType
{
    /// <summary>float32 (ONNX FLOAT).</summary>
    Float = 1,

    /// <summary>int64 (ONNX INT64).</summary>
    Int64 = 7,

    /// <summary>bool (ONNX BOOL).</summary>
    Bool = 9,
}
