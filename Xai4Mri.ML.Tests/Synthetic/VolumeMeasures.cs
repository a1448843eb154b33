using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>Simple image statistics computed from a stored file and its affine, as a user without ground truth would.</summary>
internal static class VolumeMeasures
{
    /// <summary>Every voxel's value and world position (mm), in file order.</summary>
    public static IEnumerable<(float Value, double X, double Y, double Z)> Voxels(MriImage image)
    {
        float[] data = image.GetFloatData();
        long nx = image.Shape[0], ny = image.Shape[1];
        for (int o = 0; o < data.Length; o++)
        {
            long i = o % nx, j = o / nx % ny, k = o / (nx * ny);
            var (x, y, z) = image.Affine.Apply(i, j, k);
            yield return (data[o], x, y, z);
        }
    }

    /// <summary>World centroid (mm) of the non-zero (brain mask) voxels.</summary>
    public static (double X, double Y, double Z) MaskCentroid(MriImage image)
    {
        double sx = 0, sy = 0, sz = 0;
        long n = 0;
        foreach (var v in Voxels(image).Where(v => v.Value != 0))
        {
            sx += v.X;
            sy += v.Y;
            sz += v.Z;
            n++;
        }
        return (sx / n, sy / n, sz / n);
    }

    /// <summary>
    /// CSF-like voxels (below half the mean brain intensity) within <paramref name="radius"/> mm of the mask
    /// centroid: mostly ventricles, which grow with age. Returns millilitres and the dark voxels' world centroid.
    /// </summary>
    public static (double Millilitres, (double X, double Y, double Z) Centroid) CentralCsf(MriImage image, double radius)
    {
        var (cx, cy, cz) = MaskCentroid(image);
        return DarkAround(image, (cx, cy, cz), radius);
    }

    /// <summary>CSF-like voxels within <paramref name="radius"/> mm of <paramref name="centre"/>: volume (mL) and world centroid.</summary>
    public static (double Millilitres, (double X, double Y, double Z) Centroid) DarkAround(MriImage image, (double X, double Y, double Z) centre, double radius)
    {
        var voxels = Voxels(image).Where(v => v.Value != 0).ToList();
        double threshold = 0.5 * voxels.Average(v => v.Value);
        var dark = voxels.Where(v => v.Value < threshold
            && Square(v.X - centre.X) + Square(v.Y - centre.Y) + Square(v.Z - centre.Z) < radius * radius).ToList();
        double voxelMl = image.Zooms[0] * image.Zooms[1] * image.Zooms[2] / 1000;
        if (dark.Count == 0)
        {
            return (0, centre);
        }
        return (dark.Count * voxelMl, (dark.Average(v => v.X), dark.Average(v => v.Y), dark.Average(v => v.Z)));
    }

    /// <summary>Fraction of brain-mask voxels that are CSF-like: a whole-brain atrophy measure.</summary>
    public static double CsfFraction(MriImage image)
    {
        var voxels = Voxels(image).Where(v => v.Value != 0).Select(v => v.Value).ToList();
        double threshold = 0.5 * voxels.Average();
        return voxels.Count(v => v < threshold) / (double)voxels.Count;
    }

    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += Square(a[i] - ma);
            vb += Square(b[i] - mb);
        }
        return cov / Math.Sqrt(va * vb);
    }

    public static double Distance((double X, double Y, double Z) a, (double X, double Y, double Z) b) =>
        Math.Sqrt(Square(a.X - b.X) + Square(a.Y - b.Y) + Square(a.Z - b.Z));

    private static double Square(double x) => x * x;
}
