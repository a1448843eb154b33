using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>Output row of the explanation mapping: the relevance map as a flat vector (reshaped by ONNX after it).</summary>
internal sealed class ExplainMappingOutput
{
    /// <summary>Column name of the flat map.</summary>
    public const string MapColumn = "__xai4mri_explain_flat";

    /// <summary>Relevance per voxel, in the image's layout.</summary>
    [ColumnName(MapColumn)]
    [VectorType]
    public float[] Relevance { get; set; } = [];
}
