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
        long[] nativeShape, Affine nativeAffine, long nonFiniteCount, double borderNonZeroFraction)
    {
        BoxData = boxData;
        BoxShape = boxShape;
        BoxStart = boxStart;
        GridShape = gridShape;
        GridAffine = gridAffine;
        NativeShape = nativeShape;
        NativeAffine = nativeAffine;
        NonFiniteCount = nonFiniteCount;
        BorderNonZeroFraction = borderNonZeroFraction;
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

    /// <summary>Fraction of the grid's border voxels that are not background; high values mean the image is not brain-extracted.</summary>
    public double BorderNonZeroFraction { get; }

    /// <summary>The whole grid as a volume (background outside the box).</summary>
    public Volume ToGridVolume(float background = 0)
    {
        var data = new float[(long)GridShape[0] * GridShape[1] * GridShape[2]];
        if (background != 0)
        {
            Array.Fill(data, background);
        }
        for (int i = 0; i < BoxShape[0]; i++)
        {
            for (int j = 0; j < BoxShape[1]; j++)
            {
                int s = ((i * BoxShape[1]) + j) * BoxShape[2];
                int d = ((((BoxStart[0] + i) * GridShape[1]) + BoxStart[1] + j) * GridShape[2]) + BoxStart[2];
                BoxData.AsSpan(s, BoxShape[2]).CopyTo(data.AsSpan(d, BoxShape[2]));
            }
        }
        return new Volume(data, [.. GridShape], GridAffine);
    }
}
