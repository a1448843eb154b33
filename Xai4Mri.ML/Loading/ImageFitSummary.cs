using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// What a loader's <c>Fit</c> needs of one training image, without its voxels: its brain box and grid, native
/// geometry, flags and per-image clip bounds. Shards of a sharded preparation write these, so that the fit of a whole
/// cohort is merged from them exactly.
/// </summary>
/// <param name="Subject">Subject id (or "row N").</param>
/// <param name="Path">The file.</param>
/// <param name="BoxShape">Shape of the brain's bounding box in the prepared grid.</param>
/// <param name="GridShape">Shape of the prepared grid.</param>
/// <param name="NativeAxisCodes">Orientation of the file as stored.</param>
/// <param name="NativeVoxelSize">Voxel size of the file as stored, as the fit report groups it.</param>
/// <param name="NonFiniteCount">NaN/Inf voxels set to background.</param>
/// <param name="HeadVerdict">The head check of the file's image as stored.</param>
/// <param name="HeadEvidence">The head check's evidence, in words.</param>
/// <param name="StrippedByLoader">True when the loader's brain extraction stripped the image.</param>
/// <param name="Problem">Why the image holds nothing to learn from, else null.</param>
/// <param name="ClipMin">The image's lower clip bound (dataset normalisation), else null.</param>
/// <param name="ClipMax">The image's upper clip bound (dataset normalisation), else null.</param>
internal sealed record ImageFitSummary(string Subject, string Path, int[] BoxShape, int[] GridShape, string NativeAxisCodes, string NativeVoxelSize,
    long NonFiniteCount, HeadCheckVerdict HeadVerdict, string HeadEvidence, bool StrippedByLoader, string? Problem, float? ClipMin, float? ClipMax)
{
    /// <summary>The summary of a prepared volume under <paramref name="settings"/>.</summary>
    public static ImageFitSummary Of(string subject, string path, PreparedVolume prepared, NiftiLoaderSettings settings)
    {
        var clip = settings.Normalization == IntensityNormalization.Dataset
            ? IntensityScaling.ClipRange(prepared.BoxData, settings.ClipPercentile, settings.BackgroundValue)
            : null;
        return new ImageFitSummary(subject, path, [.. prepared.BoxShape], [.. prepared.GridShape], Orientation.AxisCodes(prepared.NativeAffine),
            LoaderFit.VoxelSizeKey(prepared.NativeAffine.ColumnNorms()), prepared.NonFiniteCount,
            prepared.HeadCheck.Verdict, prepared.HeadCheck.Reason, prepared.BrainExtracted, prepared.Problem, clip?.Min, clip?.Max);
    }
}
