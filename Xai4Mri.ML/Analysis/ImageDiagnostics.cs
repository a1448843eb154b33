using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Analysis;

/// <summary>What the dataset diagnostics found in one image file.</summary>
/// <param name="Subject">Subject id (or "row N" without a subject column).</param>
/// <param name="Path">The file.</param>
/// <param name="Shape">Data shape as stored (trailing dimensions included, as nibabel reports it).</param>
/// <param name="VoxelSize">Voxel size in mm along the three stored axes (lengths of the affine's columns).</param>
/// <param name="AxisCodes">Stored orientation, e.g. <c>"RAS"</c> (nibabel's <c>aff2axcodes</c>).</param>
/// <param name="DataType">On-disk voxel type.</param>
/// <param name="Intensity">Statistics of the non-zero voxels.</param>
/// <param name="BackgroundFraction">Share of the voxels that are exactly 0 (NaN/Inf counted as 0, as the loader sets them).</param>
/// <param name="NonFiniteCount">NaN or infinite voxels.</param>
/// <param name="ContentHash">
/// SHA-256 (hex) of the prepared float32 voxels (reoriented, and resampled when the loader resamples), with the grid
/// shape: equal for the same data whatever the file format, compression, scaling type or stored orientation.
/// </param>
/// <param name="BrainExtentVoxels">Bounding box of the non-zero voxels, in voxels of the prepared grid, along its axes (e.g. L, I, A).</param>
/// <param name="BrainExtentMm">The same box in mm (voxels × voxel size).</param>
/// <param name="WouldCutBrain">True when the box is longer than the model's input box (in mm) along some axis: pruning cuts brain.</param>
/// <param name="HeadCheck">The head check of the file's image as stored (the loader's: one function decides for both): head, extracted brain, or no head, with its evidence.</param>
/// <param name="StrippedByLoader">True when the loader's brain extraction stripped the image.</param>
/// <param name="BiasFieldStrength">
/// Coefficient of variation over the head of a smooth second-order field fitted to the log intensity of its brightest
/// tissue (<c>BiasField</c>): about 0.02 or less for a uniform image, 0.1 for a ±10 % shading; NaN without a head.
/// </param>
/// <param name="FieldOfViewCut">Faces of the field of view that cut the brain, with the area of brain on them ("superior (42 cm²)"); empty when none does.</param>
/// <param name="Problem">Why the image holds nothing to learn from (all background, or its brain could not be extracted), else null.</param>
public sealed record ImageDiagnostics(
    string Subject,
    string Path,
    IReadOnlyList<long> Shape,
    IReadOnlyList<double> VoxelSize,
    string AxisCodes,
    NiftiDataType DataType,
    IntensityStatistics Intensity,
    double BackgroundFraction,
    long NonFiniteCount,
    string ContentHash,
    IReadOnlyList<int> BrainExtentVoxels,
    IReadOnlyList<double> BrainExtentMm,
    bool WouldCutBrain,
    HeadCheckResult HeadCheck,
    bool StrippedByLoader,
    double BiasFieldStrength,
    IReadOnlyList<string> FieldOfViewCut,
    string? Problem)
{
    /// <summary>True unless the head check finds a head that the loader did not strip (xai4mri's models expect extracted brains).</summary>
    public bool LooksBrainExtracted => !HeadCheck.NotBrainExtracted || StrippedByLoader;

    /// <summary>Share of the voxels on the grid's six faces that are not 0 (the head check's evidence, not a rule of its own).</summary>
    public double BorderNonZeroFraction => HeadCheck.BorderFraction;
}
