namespace Xai4Mri.ML.Loading;

/// <summary>What a loader's <c>Fit</c> saw in the training images.</summary>
/// <param name="ImageCount">Images read.</param>
/// <param name="Orientations">Native orientation codes and how many images had each.</param>
/// <param name="VoxelSizes">Native voxel sizes (rounded to 0.01 mm, "x×y×z") and how many images had each.</param>
/// <param name="LargestBrainExtent">Largest brain bounding box per axis in the output grid.</param>
/// <param name="ImagesCut">Images whose brain is larger than the output box (cut when conformed).</param>
/// <param name="ImagesWithNonFiniteVoxels">Images that had NaN/Inf voxels (set to background).</param>
/// <param name="ImagesNotBrainExtracted">Images that the head check finds not brain-extracted (a head: scalp, skull, neck) and that the loader did not strip.</param>
/// <param name="Warnings">The warnings also sent to the ML.NET log.</param>
/// <param name="HeadChecks">Every image's head check, whether the loader stripped it, and its problem, in path order.</param>
/// <param name="ImageProblems">"subject: problem" for each image that holds nothing to learn from (all background, or its brain could not be extracted); it loads as background.</param>
public sealed record NiftiLoaderFitReport(
    int ImageCount,
    IReadOnlyDictionary<string, int> Orientations,
    IReadOnlyDictionary<string, int> VoxelSizes,
    int[] LargestBrainExtent,
    IReadOnlyList<string> ImagesCut,
    IReadOnlyList<string> ImagesWithNonFiniteVoxels,
    IReadOnlyList<string> ImagesNotBrainExtracted,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<ImageHeadCheck> HeadChecks,
    IReadOnlyList<string> ImageProblems)
{
    /// <summary>Images that the loader's brain extraction stripped.</summary>
    public IReadOnlyList<string> ImagesStripped => [.. HeadChecks.Where(h => h.StrippedByLoader).Select(h => h.Subject)];

    /// <summary>Number of images the head check finds brain-extracted, not brain-extracted, and without a head, in that order.</summary>
    public (int BrainExtracted, int NotBrainExtracted, int NoHead) VerdictCounts =>
        (HeadChecks.Count(h => h.Verdict == Volumes.HeadCheckVerdict.BrainExtracted),
            HeadChecks.Count(h => h.Verdict == Volumes.HeadCheckVerdict.NotBrainExtracted),
            HeadChecks.Count(h => h.Verdict == Volumes.HeadCheckVerdict.NoHead));
}
