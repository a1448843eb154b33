using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>Input row of the explanation mapping: one image and the explanation's configuration (network and options).</summary>
internal sealed class ExplainMappingInput
{
    /// <summary>Column name of the image copy the chain feeds in.</summary>
    public const string ImageColumn = "__xai4mri_explain_image";

    /// <summary>Column name of the constant configuration column.</summary>
    public const string ConfigColumn = "__xai4mri_explain";

    /// <summary>The image in the network's input layout, C order.</summary>
    [ColumnName(ImageColumn)]
    [VectorType]
    public float[] Image { get; set; } = [];

    /// <summary>
    /// The options (JSON) and the network (.x4m bytes), each base64, joined by a dot (<see cref="ExplainConfig"/>).
    /// Read as memory, not as a string: the text is megabytes long and the same in every row, and a string per row
    /// would be garbage on the large-object heap that grows the process until a full collection.
    /// </summary>
    [ColumnName(ConfigColumn)]
    public ReadOnlyMemory<char> Config { get; set; }
}
