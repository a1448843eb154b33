using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>Input row of the row-marker mapping: the image copy only (the marker's value does not depend on it).</summary>
internal sealed class ExplainImageRow
{
    /// <summary>The image copy.</summary>
    [ColumnName(ExplainMappingInput.ImageColumn)]
    [VectorType]
    public float[] Image { get; set; } = [];
}
