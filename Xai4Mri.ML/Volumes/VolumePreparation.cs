using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>Decodes a file into a <see cref="PreparedVolume"/>: first 3-D volume, non-finite voxels zeroed, reoriented, resampled, cropped to the brain.</summary>
public static class VolumePreparation
{
    /// <summary>
    /// Above this fraction of non-background border voxels an image is taken as not brain-extracted (the loader's
    /// warning and the dataset diagnostics share the rule).
    /// </summary>
    internal const double NotBrainExtractedBorderFraction = 0.5;

    /// <summary>Runs the preparation steps on one file.</summary>
    /// <exception cref="NiftiFormatException">The file cannot be read, is not 3-D (unless allowed), or has no definite orientation.</exception>
    public static PreparedVolume Prepare(string path, PrepareSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Prepare(NiftiImage.Load(path), settings);
    }

    /// <summary>The preparation steps on an image already opened (callers that also need its header open it once).</summary>
    internal static PreparedVolume Prepare(NiftiImage image, PrepareSettings settings)
    {
        string path = image.FilePath;
        Volume volume = Volume.FromImage(image, settings.AllowFourD);
        long nonFinite = 0;
        float[] d = volume.Data;
        for (int i = 0; i < d.Length; i++)
        {
            if (!float.IsFinite(d[i]))
            {
                d[i] = settings.Background;
                nonFinite++;
            }
        }
        double border = BorderNonZeroFraction(volume, settings.Background);
        try
        {
            volume = Reorientation.Reorient(volume, settings.Orientation);
        }
        catch (ArgumentException e)
        {
            throw new NiftiFormatException(path, $"cannot reorient to {settings.Orientation}: {e.Message}", e);
        }
        if (settings.VoxelSize is { } voxelSize)
        {
            volume = Resampling.ToVoxelSize(volume, voxelSize);
        }
        var box = BrainBox.Find(volume, settings.Background);
        int[] start = box?.Start ?? [0, 0, 0];
        int[] shape = box is { } b ? [b.End[0] - b.Start[0] + 1, b.End[1] - b.Start[1] + 1, b.End[2] - b.Start[2] + 1] : [0, 0, 0];
        var boxData = new float[(long)shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < shape[0]; i++)
        {
            for (int j = 0; j < shape[1]; j++)
            {
                int s = volume.Index(start[0] + i, start[1] + j, start[2]);
                volume.Data.AsSpan(s, shape[2]).CopyTo(boxData.AsSpan(((i * shape[1]) + j) * shape[2], shape[2]));
            }
        }
        return new PreparedVolume(boxData, shape, start, volume.Shape, volume.Affine, image.Shape, image.Affine, nonFinite, border);
    }

    /// <summary>Fraction of voxels on the six faces of the grid that differ from the background.</summary>
    private static double BorderNonZeroFraction(Volume v, float background)
    {
        int[] n = v.Shape;
        long total = 0, nonZero = 0;
        for (int i = 0; i < n[0]; i++)
        {
            for (int j = 0; j < n[1]; j++)
            {
                bool faceIJ = i == 0 || i == n[0] - 1 || j == 0 || j == n[1] - 1;
                for (int k = 0; k < n[2]; k++)
                {
                    if (faceIJ || k == 0 || k == n[2] - 1)
                    {
                        total++;
                        if (v[i, j, k] != background)
                        {
                            nonZero++;
                        }
                    }
                }
            }
        }
        return total == 0 ? 0 : (double)nonZero / total;
    }
}
