using Xai4Mri.ML.Nifti;

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
/// <param name="BorderNonZeroFraction">Share of the voxels on the grid's six faces that are not 0.</param>
/// <param name="LooksBrainExtracted">
/// The loader's rule: true unless more than half of the border voxels are non-zero (xai4mri expects a zero background).
/// </param>
/// <param name="NonFiniteCount">NaN or infinite voxels.</param>
/// <param name="ContentHash">
/// SHA-256 (hex) of the prepared float32 voxels (reoriented, and resampled when the loader resamples), with the grid
/// shape: equal for the same data whatever the file format, compression, scaling type or stored orientation.
/// </param>
/// <param name="BrainExtentVoxels">Bounding box of the non-zero voxels, in voxels of the prepared grid, along its axes (e.g. L, I, A).</param>
/// <param name="BrainExtentMm">The same box in mm (voxels × voxel size).</param>
/// <param name="WouldCutBrain">True when the box is longer than the model's input box (in mm) along some axis: pruning cuts brain.</param>
public sealed record ImageDiagnostics(
    string Subject,
    string Path,
    IReadOnlyList<long> Shape,
    IReadOnlyList<double> VoxelSize,
    string AxisCodes,
    NiftiDataType DataType,
    IntensityStatistics Intensity,
    double BackgroundFraction,
    double BorderNonZeroFraction,
    bool LooksBrainExtracted,
    long NonFiniteCount,
    string ContentHash,
    IReadOnlyList<int> BrainExtentVoxels,
    IReadOnlyList<double> BrainExtentMm,
    bool WouldCutBrain);
