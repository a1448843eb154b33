using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// A file decoded, cleaned, reoriented and resampled (the expensive part of conforming), kept as the brain's
/// bounding box within its grid: what the cache stores and what pruning and intensity scaling start from.
/// </summary>
internal sealed class PreparedVolume
{
    /// <summary>Creates the record; <paramref name="boxData"/> holds the box voxels in C order.</summary>
    public PreparedVolume(float[] boxData, int[] boxShape, int[] boxStart, int[] gridShape, Affine gridAffine,
        long[] nativeShape, Affine nativeAffine, long nonFiniteCount, HeadCheckResult headCheck, bool brainExtracted, string? problem)
    {
        BoxData = boxData;
        BoxShape = boxShape;
        BoxStart = boxStart;
        GridShape = gridShape;
        GridAffine = gridAffine;
        NativeShape = nativeShape;
        NativeAffine = nativeAffine;
        NonFiniteCount = nonFiniteCount;
        HeadCheck = headCheck;
        BrainExtracted = brainExtracted;
        Problem = problem;
    }

    /// <summary>Voxels of the brain's bounding box (everything outside it is background).</summary>
    public float[] BoxData { get; }

    /// <summary>Shape of the bounding box (zeros when the image is all background).</summary>
    public int[] BoxShape { get; }

    /// <summary>Index of the box's first voxel in the grid.</summary>
    public int[] BoxStart { get; }

    /// <summary>Shape of the reoriented (and resampled) grid.</summary>
    public int[] GridShape { get; }

    /// <summary>Affine of the reoriented (and resampled) grid.</summary>
    public Affine GridAffine { get; }

    /// <summary>Shape of the file as stored.</summary>
    public long[] NativeShape { get; }

    /// <summary>Affine of the file as stored.</summary>
    public Affine NativeAffine { get; }

    /// <summary>NaN or infinite voxels that were set to background.</summary>
    public long NonFiniteCount { get; }

    /// <summary>What <see cref="Volumes.HeadCheck"/> said of the file's image before any step (a head or an extracted brain).</summary>
    public HeadCheckResult HeadCheck { get; }

    /// <summary>True when a <see cref="BrainExtractionStep"/> stripped the image (the box holds the brain only).</summary>
    public bool BrainExtracted { get; }

    /// <summary>
    /// Why the image holds nothing to learn from, or null: it is all background, or its brain could not be extracted.
    /// The volume is then all background, so that the other images of a study still load.
    /// </summary>
    public string? Problem { get; }

    /// <summary>The brain's bounding box as a volume of its own, its affine placing it where it lies in the grid.</summary>
    public Volume ToBoxVolume() => new(BoxData, [.. BoxShape],
        GridAffine.Multiply(Affine.FromLinearAndTranslation([1, 0, 0, 0, 1, 0, 0, 0, 1], [BoxStart[0], BoxStart[1], BoxStart[2]])));

    /// <summary>The whole grid as a volume (background outside the box).</summary>
    public Volume ToGridVolume(float background = 0) => GridVolume(BoxData, BoxShape, BoxStart, GridShape, GridAffine, background);

    /// <summary>A grid of <paramref name="gridShape"/> holding <paramref name="boxData"/> at <paramref name="boxStart"/>, background elsewhere.</summary>
    internal static Volume GridVolume(float[] boxData, int[] boxShape, int[] boxStart, int[] gridShape, Affine gridAffine, float background)
    {
        var data = new float[(long)gridShape[0] * gridShape[1] * gridShape[2]];
        if (background != 0)
        {
            Array.Fill(data, background);
        }
        for (int i = 0; i < boxShape[0]; i++)
        {
            for (int j = 0; j < boxShape[1]; j++)
            {
                int s = ((i * boxShape[1]) + j) * boxShape[2];
                int d = ((((boxStart[0] + i) * gridShape[1]) + boxStart[1] + j) * gridShape[2]) + boxStart[2];
                boxData.AsSpan(s, boxShape[2]).CopyTo(data.AsSpan(d, boxShape[2]));
            }
        }
        return new Volume(data, [.. gridShape], gridAffine);
    }
}
