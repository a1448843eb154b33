namespace Xai4Mri.ML.Analysis;

/// <summary>The images of a dataset taken together: how uniform they are, pooled intensities, and which images need attention.</summary>
/// <param name="Images">One entry per row, in table order.</param>
/// <param name="Shapes">Distinct stored shapes (<c>"24×28×24"</c>) with counts, most frequent first.</param>
/// <param name="VoxelSizes">Distinct voxel sizes (rounded to 0.01 mm, <c>"4×4×4"</c>) with counts, most frequent first.</param>
/// <param name="Orientations">Distinct stored orientations with counts, most frequent first.</param>
/// <param name="DataTypes">Distinct on-disk voxel types with counts, most frequent first.</param>
/// <param name="PooledIntensity">
/// Over all images: smallest minimum, largest maximum, mean weighted by voxel count, and the mean of the images'
/// 1st/99th percentiles (pooling every voxel would hold the whole dataset in memory).
/// </param>
/// <param name="NotBrainExtracted">Subjects whose image does not look brain-extracted.</param>
/// <param name="WithNonFiniteVoxels">Subjects whose image has NaN/Inf voxels.</param>
/// <param name="DuplicateGroups">Groups of two or more subjects whose images have the same content hash, in table order.</param>
/// <param name="ModelBoxMm">The model's input box in mm (input shape × voxel size) the brain extents are compared with.</param>
/// <param name="WouldCutBrain">Subjects whose brain is larger than the model's input box.</param>
public sealed record ImageSetDiagnostics(
    IReadOnlyList<ImageDiagnostics> Images,
    IReadOnlyList<ValueCount> Shapes,
    IReadOnlyList<ValueCount> VoxelSizes,
    IReadOnlyList<ValueCount> Orientations,
    IReadOnlyList<ValueCount> DataTypes,
    IntensityStatistics PooledIntensity,
    IReadOnlyList<string> NotBrainExtracted,
    IReadOnlyList<string> WithNonFiniteVoxels,
    IReadOnlyList<IReadOnlyList<string>> DuplicateGroups,
    IReadOnlyList<double> ModelBoxMm,
    IReadOnlyList<string> WouldCutBrain)
{
    /// <summary>More than one stored shape.</summary>
    public bool MixedShapes => Shapes.Count > 1;

    /// <summary>More than one voxel size.</summary>
    public bool MixedVoxelSizes => VoxelSizes.Count > 1;

    /// <summary>More than one stored orientation.</summary>
    public bool MixedOrientations => Orientations.Count > 1;

    /// <summary>Number of images whose brain would be cut by the model's input box.</summary>
    public int WouldCutBrainCount => WouldCutBrain.Count;
}
