using Microsoft.ML.Data;

namespace Xai4Mri.ML.Serialization;

/// <summary>Input row of the saved score mappings: the network's output for one image.</summary>
internal sealed class NetworkOutputRow
{
    /// <summary>Column name of the network output inside a saved chain.</summary>
    public const string OutputColumn = "__xai4mri_network";

    /// <summary>The network's outputs (one value for regression, class probabilities for classification).</summary>
    [ColumnName(OutputColumn)]
    [VectorType]
    public float[] Output { get; set; } = [];
}
