using Xai4Mri.ML.Volumes;

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
/// <param name="NotBrainExtracted">Subjects whose image the head check finds not brain-extracted (and the loader did not strip).</param>
/// <param name="WithNonFiniteVoxels">Subjects whose image has NaN/Inf voxels.</param>
/// <param name="DuplicateGroups">Groups of two or more subjects whose images have the same content hash, in table order.</param>
/// <param name="ModelBoxMm">The model's input box in mm (input shape × voxel size) the brain extents are compared with.</param>
/// <param name="WouldCutBrain">Subjects whose brain is larger than the model's input box.</param>
/// <param name="NoHead">Subjects whose image the head check finds without a head or brain.</param>
/// <param name="StrippedByLoader">Subjects whose image the loader's brain extraction stripped.</param>
/// <param name="CutByFieldOfView">Subjects whose brain the field of view cuts.</param>
/// <param name="StrongBiasField">Subjects whose bias-field strength reaches <see cref="StrongBiasFieldLimit"/>.</param>
/// <param name="Problems">"subject: problem" for each image that holds nothing to learn from.</param>
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
    IReadOnlyList<string> WouldCutBrain,
    IReadOnlyList<string> NoHead,
    IReadOnlyList<string> StrippedByLoader,
    IReadOnlyList<string> CutByFieldOfView,
    IReadOnlyList<string> StrongBiasField,
    IReadOnlyList<string> Problems)
{
    /// <summary>From this bias-field strength (coefficient of variation, about ±15 % shading) a correction such as N4 is advised.</summary>
    public const double StrongBiasFieldLimit = 0.15;

    /// <summary>Number of images the head check finds brain-extracted, not brain-extracted (before any stripping by the loader), and without a head.</summary>
    public (int BrainExtracted, int NotBrainExtracted, int NoHead) VerdictCounts =>
        (Images.Count(i => i.HeadCheck.Verdict == HeadCheckVerdict.BrainExtracted),
            Images.Count(i => i.HeadCheck.Verdict == HeadCheckVerdict.NotBrainExtracted),
            Images.Count(i => i.HeadCheck.Verdict == HeadCheckVerdict.NoHead));

    /// <summary>
    /// Distinct magnetic field strengths (<c>"3 T"</c>) with counts, most frequent first, from the table's
    /// MagneticFieldStrength column (a BIDS sidecar field: <c>BidsDatasetOptions.SidecarFields</c>); empty without one.
    /// </summary>
    public IReadOnlyList<ValueCount> FieldStrengths { get; init; } = [];

    /// <summary>More than one stored shape.</summary>
    public bool MixedShapes => Shapes.Count > 1;

    /// <summary>More than one voxel size.</summary>
    public bool MixedVoxelSizes => VoxelSizes.Count > 1;

    /// <summary>More than one stored orientation.</summary>
    public bool MixedOrientations => Orientations.Count > 1;

    /// <summary>Number of images whose brain would be cut by the model's input box.</summary>
    public int WouldCutBrainCount => WouldCutBrain.Count;
}
