namespace Xai4Mri.ML.Models;

/// <summary>Options for <see cref="OnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Extra key/value pairs stored in the model's <c>metadata_props</c> (e.g. training data, target, units). The
    /// key <see cref="OnnxExporter.SpecMetadataKey"/> is reserved for the network description.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Name of the symbolic batch dimension of the input and output.</summary>
    public string BatchDimension { get; init; } = "batch";
}
