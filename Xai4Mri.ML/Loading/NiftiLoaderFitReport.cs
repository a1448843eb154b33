namespace Xai4Mri.ML.Loading;

/// <summary>What a loader's <c>Fit</c> saw in the training images.</summary>
/// <param name="ImageCount">Images read.</param>
/// <param name="Orientations">Native orientation codes and how many images had each.</param>
/// <param name="VoxelSizes">Native voxel sizes (rounded to 0.01 mm, "x×y×z") and how many images had each.</param>
/// <param name="LargestBrainExtent">Largest brain bounding box per axis in the output grid.</param>
/// <param name="ImagesCut">Images whose brain is larger than the output box (cut when conformed).</param>
/// <param name="ImagesWithNonFiniteVoxels">Images that had NaN/Inf voxels (set to background).</param>
/// <param name="ImagesNotBrainExtracted">Images whose border is mostly not background (brain extraction expected).</param>
/// <param name="Warnings">The warnings also sent to the ML.NET log.</param>
public sealed record NiftiLoaderFitReport(
    int ImageCount,
    IReadOnlyDictionary<string, int> Orientations,
    IReadOnlyDictionary<string, int> VoxelSizes,
    int[] LargestBrainExtent,
    IReadOnlyList<string> ImagesCut,
    IReadOnlyList<string> ImagesWithNonFiniteVoxels,
    IReadOnlyList<string> ImagesNotBrainExtracted,
    IReadOnlyList<string> Warnings);
