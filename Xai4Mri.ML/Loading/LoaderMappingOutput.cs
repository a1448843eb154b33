using Microsoft.ML.Data;

namespace Xai4Mri.ML.Loading;

/// <summary>Output row of the saved form of LoadNifti: the conformed volume as a flat vector (reshaped by ONNX after it).</summary>
internal sealed class LoaderMappingOutput
{
    /// <summary>Column name of the flat volume.</summary>
    public const string ImageColumn = "__xai4mri_flat";

    /// <summary>Conformed voxels in C order.</summary>
    [ColumnName(ImageColumn)]
    [VectorType]
    public float[] Image { get; set; } = [];
}
