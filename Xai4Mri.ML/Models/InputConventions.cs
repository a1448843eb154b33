using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Models;

/// <summary>
/// How a model's input volumes were prepared, so that new data can be conformed the same way (the LoadNifti settings
/// a pretrained model expects).
/// </summary>
public sealed record InputConventions
{
    /// <summary>Orientation of the input axes (xai4mri: "LIA").</summary>
    public string Orientation { get; init; } = "LIA";

    /// <summary>Voxel size in mm, when fixed (e.g. 1 mm for FreeSurfer-conformed input).</summary>
    public double[]? VoxelSize { get; init; }

    /// <summary>Whether intensities were clipped and scaled to [0, 255] (xai4mri's default).</summary>
    public bool NormalizedTo255 { get; init; } = true;

    /// <summary>Whether the inputs were brain-extracted (zero background).</summary>
    public bool BrainExtracted { get; init; } = true;

    /// <summary>Free-text description of the expected input (e.g. "FreeSurfer brain.finalsurfs, 198³ pruned").</summary>
    public string? Description { get; init; }
}
