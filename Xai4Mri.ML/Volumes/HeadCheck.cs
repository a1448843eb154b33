using System.Globalization;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Tells a head image from a brain-extracted one by physical evidence: the volume above background against the
/// adult intracranial volume (about 0.9–1.9 L; no brain exceeds <see cref="MaxBrainVolumeMl"/>), and the layered
/// shell of a head — bright scalp, dark skull, bright brain — met along rays from the centre through the upper head.
/// Both work on intensities relative to the image's own brain level, so noise, bias fields, scaling and data type
/// do not matter, and neither depends on the brain's size, so small, young and atrophied brains are judged alike.
/// </summary>
public static class HeadCheck
{
    /// <summary>Above this volume (mL) above background an image holds more than any brain (adult intracranial volumes reach about 2,000 mL).</summary>
    public const double MaxBrainVolumeMl = 2300;

    /// <summary>Below this volume (mL) above background an image holds no brain (a newborn's intracranial volume is about 350–450 mL).</summary>
    public const double MinBrainVolumeMl = 250;

    /// <summary>At or above this fraction of rays showing scalp, skull and brain the image is a head.</summary>
    public const double ShellFractionThreshold = 0.5;

    // Tissue is bright at or above Bright times the brain's median; the skull's valley is darker than Dark times
    // the lower of the two bright layers around it (scalp or diploë outside, brain or CSF inside).
    private const double Bright = 0.5;
    private const double Dark = 0.5;

    // Geometry of the shell (mm): the bright outer layer starts within OuterStart of the object's edge, the dark
    // band starts within DarkWithin after it and lasts at least DarkRun, and bright tissue returns within InnerWithin.
    private const double OuterStart = 4;
    private const double DarkWithin = 12;
    private const double DarkRun = 2;
    private const double InnerWithin = 20;

    // No head scan's grid reaches farther than this (mm) from the head's centre.
    private const double MaxReachMm = 5000;

    private const double Step = 0.5;
    private const int Directions = 400;

    // The intensity and volume statistics are read from every voxel at about this spacing (mm) or coarser: the
    // percentiles, volume and centre of a head change by well under a percent, while a 2 mm grid costs an eighth and
    // a 1 mm grid a sixty-fourth of the full pass. The rays still sample the full grid, where the skull is thin.
    private const double StatisticsSpacing = 4;

    /// <summary>
    /// Checks one image; never throws for image content: an image that is all background, constant, holds less
    /// than <see cref="MinBrainVolumeMl"/> above background, or is a uniform blob without tissue contrast gets
    /// <see cref="HeadCheckVerdict.NoHead"/>.
    /// </summary>
    public static HeadCheckResult Check(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var inv = CultureInfo.InvariantCulture;
        double border = BorderFraction(volume);
        if (volume.Shape.Any(d => d < 3))
        {
            return new HeadCheckResult(HeadCheckVerdict.NoHead, 0, double.NaN, 0, border, $"a {string.Join('x', volume.Shape)} grid is too small to hold a head");
        }
        var sampler = new WorldSampler(volume);
        var coarse = Subsample(volume, sampler.Data);
        HeadStatistics stats;
        try
        {
            stats = HeadStatistics.Estimate(coarse, coarse.Data);
        }
        catch (ArgumentException e)
        {
            return new HeadCheckResult(HeadCheckVerdict.NoHead, 0, double.NaN, 0, border, e.Message);
        }
        double foreground = stats.VolumeAboveThresholdMl;
        if (foreground < MinBrainVolumeMl)
        {
            return new HeadCheckResult(HeadCheckVerdict.NoHead, foreground, double.NaN, 0, border,
                string.Create(inv, $"only {foreground:F0} mL above background, less than the {MinBrainVolumeMl:F0} mL of the smallest brain"));
        }
        double contrast = Contrast(coarse.Data, (stats.Threshold + stats.T98) / 2);
        if (contrast < BrainExtractor.MinimumContrast)
        {
            return new HeadCheckResult(HeadCheckVerdict.NoHead, foreground, double.NaN, 0, border,
                string.Create(inv, $"{foreground:F0} mL above background but no tissue contrast (robust spread {contrast:F3} of its median, a brain or head shows at least {BrainExtractor.MinimumContrast}): a uniform blob"));
        }
        double reach = GridReach(volume, stats.Centre);
        if (!(reach <= MaxReachMm))
        {
            // Also keeps the rays' length (in steps) an array size: a damaged voxel size can make the grid light-years wide.
            return new HeadCheckResult(HeadCheckVerdict.NoHead, foreground, double.NaN, 0, border,
                string.Create(inv, $"the grid reaches {reach:G3} mm from the object's centre, more than the {MaxReachMm:F0} mm any head scan spans (are the voxel sizes damaged, or not in mm?)"));
        }
        var (shell, rays) = ShellFraction(volume, sampler, stats);
        bool large = foreground > MaxBrainVolumeMl;
        bool layered = rays > 0 && shell >= ShellFractionThreshold;
        string volumeText = string.Create(inv, $"{foreground:F0} mL above background ({(large ? "more than" : "within")} the {MaxBrainVolumeMl:F0} mL of the largest brains)");
        string shellText = rays == 0
            ? "no ray through the upper head left the object inside the field of view"
            : string.Create(inv, $"{100 * shell:F0} % of {rays} rays through the upper head cross scalp, skull and brain (a head from {100 * ShellFractionThreshold:F0} %)");
        var verdict = large || layered ? HeadCheckVerdict.NotBrainExtracted : HeadCheckVerdict.BrainExtracted;
        return new HeadCheckResult(verdict, foreground, rays == 0 ? double.NaN : shell, rays, border, $"{volumeText}; {shellText}");
    }

    /// <summary>
    /// (p90 − p10) / p50 of the voxels above <paramref name="level"/> (half-way between the background threshold and the
    /// 98th percentile, so that partial-volume edges do not count as contrast): white and grey matter, CSF, scalp and
    /// fat spread it widely, a uniform object only by its noise (the measure of <see cref="BrainExtractor"/>'s refusal).
    /// </summary>
    private static double Contrast(float[] data, double level)
    {
        var above = new List<float>(data.Length / 8);
        foreach (float v in data)
        {
            if (v > level)
            {
                above.Add(v);
            }
        }
        if (above.Count == 0)
        {
            return double.PositiveInfinity;
        }
        double[] q = HeadStatistics.Quantiles([.. above], 0.1, 0.5, 0.9);
        return q[1] > 0 ? (q[2] - q[0]) / q[1] : double.PositiveInfinity;
    }

    /// <summary>Follows rays from the centre of gravity outwards to the object's edge and back in through the layers.</summary>
    private static (double Fraction, int Rays) ShellFraction(Volume volume, WorldSampler sampler, HeadStatistics stats)
    {
        int longest = (int)(GridReach(volume, stats.Centre) / Step) + 1;
        double bright = Bright * stats.Median;
        int layered = 0, used = 0;
        double golden = Math.PI * (3 - Math.Sqrt(5));
        var profile = new double[longest + 1];
        for (int r = 0; r < Directions; r++)
        {
            // Fibonacci directions, evenly spread; only the upper part of the sphere (world superior) is used,
            // where the skull vault lies, not the face and neck.
            double dz = 1 - (2 * (r + 0.5) / Directions);
            if (dz < -0.2)
            {
                continue;
            }
            double ring = Math.Sqrt(1 - (dz * dz));
            double dx = ring * Math.Cos(golden * r), dy = ring * Math.Sin(golden * r);
            var (i0, j0, k0) = sampler.ToIndex(stats.Centre.X, stats.Centre.Y, stats.Centre.Z);
            var (di, dj, dk) = sampler.DirectionToIndex(Step * dx, Step * dy, Step * dz);
            int length = 0;
            while (length <= longest && sampler.Contains(i0 + (length * di), j0 + (length * dj), k0 + (length * dk)))
            {
                profile[length] = sampler.SampleIndex(i0 + (length * di), j0 + (length * dj), k0 + (length * dk));
                length++;
            }
            int edge = OuterEdge(profile.AsSpan(0, length), stats.Threshold);
            if (edge < 0)
            {
                continue;
            }
            used++;
            if (HasShell(profile, edge, bright))
            {
                layered++;
            }
        }
        return (used == 0 ? 0 : (double)layered / used, used);
    }

    /// <summary>Index of the last sample above threshold, or −1 when there is none or the ray is still in the object where it leaves the grid.</summary>
    private static int OuterEdge(ReadOnlySpan<double> profile, double threshold)
    {
        int last = -1;
        for (int s = 0; s < profile.Length; s++)
        {
            if (profile[s] > threshold)
            {
                last = s;
            }
        }
        // A ray whose last object sample lies within 3 mm of the grid's edge has left the field of view, not the head.
        return last < 0 || last >= profile.Length - (int)(3 / Step) ? -1 : last;
    }

    /// <summary>
    /// From the edge inwards: a bright outer layer, then a valley darker than half of both its flanks and at
    /// least <see cref="DarkRun"/> wide at half depth, then bright tissue again.
    /// </summary>
    private static bool HasShell(double[] profile, int edge, double bright)
    {
        int outer = -1;
        double p1 = double.NegativeInfinity;
        for (int s = edge; s >= Math.Max(0, edge - (int)(OuterStart / Step)); s--)
        {
            if (profile[s] > p1)
            {
                p1 = profile[s];
                outer = s;
            }
        }
        if (!(p1 >= bright))
        {
            return false;
        }
        int valley = outer;
        for (int s = outer; s >= Math.Max(0, outer - (int)(DarkWithin / Step)); s--)
        {
            if (profile[s] < profile[valley])
            {
                valley = s;
            }
        }
        double p2 = double.NegativeInfinity;
        for (int s = valley; s >= Math.Max(0, valley - (int)(InnerWithin / Step)); s--)
        {
            p2 = Math.Max(p2, profile[s]);
        }
        double flank = Math.Min(p1, p2);
        double v = profile[valley];
        if (!(p2 >= bright && v < Dark * flank))
        {
            return false;
        }
        double half = (v + flank) / 2;
        int from = valley, to = valley;
        while (from > 0 && profile[from - 1] < half)
        {
            from--;
        }
        while (to < edge && profile[to + 1] < half)
        {
            to++;
        }
        return (to - from + 1) * Step >= DarkRun;
    }

    /// <summary>The largest distance (mm) from <paramref name="centre"/> to a corner of the grid: no ray needs to go further.</summary>
    private static double GridReach(Volume volume, (double X, double Y, double Z) centre)
    {
        double reach = 0;
        for (int c = 0; c < 8; c++)
        {
            var (x, y, z) = volume.Affine.Apply((c & 1) * (volume.Shape[0] - 1), ((c >> 1) & 1) * (volume.Shape[1] - 1), ((c >> 2) & 1) * (volume.Shape[2] - 1));
            double dx = x - centre.X, dy = y - centre.Y, dz = z - centre.Z;
            reach = Math.Max(reach, Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)));
        }
        return reach;
    }

    /// <summary>
    /// Every s-th voxel along each axis, s the largest whole step not beyond <see cref="StatisticsSpacing"/> (at least
    /// 1): voxels are picked, not averaged, so the intensity distribution keeps its tails and its discrete levels.
    /// </summary>
    private static Volume Subsample(Volume volume, float[] data)
    {
        double[] size = volume.VoxelSize;
        int[] n = volume.Shape;
        int[] stride = [.. size.Select(z => Math.Max(1, (int)Math.Floor((StatisticsSpacing / z) + 1e-9)))];
        if (stride.All(s => s == 1))
        {
            return data == volume.Data ? volume : new Volume(data, [.. n], volume.Affine);
        }
        int[] m = [.. n.Select((d, a) => ((d - 1) / stride[a]) + 1)];
        var picked = new float[m[0] * m[1] * m[2]];
        int o = 0;
        for (int i = 0; i < m[0]; i++)
        {
            for (int j = 0; j < m[1]; j++)
            {
                int row = volume.Index(i * stride[0], j * stride[1], 0);
                for (int k = 0; k < m[2]; k++)
                {
                    picked[o++] = data[row + (k * stride[2])];
                }
            }
        }
        var a = volume.Affine;
        double[] linear = new double[9];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                linear[(r * 3) + c] = a[r, c] * stride[c];
            }
        }
        return new Volume(picked, m, Affine.FromLinearAndTranslation(linear, [a[0, 3], a[1, 3], a[2, 3]]));
    }

    /// <summary>Fraction of the voxels on the grid's six faces that are not exactly 0.</summary>
    private static double BorderFraction(Volume v)
    {
        int[] n = v.Shape;
        long total = 0, nonZero = 0;
        for (int i = 0; i < n[0]; i++)
        {
            bool faceI = i == 0 || i == n[0] - 1;
            for (int j = 0; j < n[1]; j++)
            {
                int row = v.Index(i, j, 0);
                if (faceI || j == 0 || j == n[1] - 1)
                {
                    for (int k = 0; k < n[2]; k++)
                    {
                        nonZero += v.Data[row + k] != 0 ? 1 : 0;
                    }
                    total += n[2];
                }
                else
                {
                    nonZero += (v.Data[row] != 0 ? 1 : 0) + (n[2] > 1 && v.Data[row + n[2] - 1] != 0 ? 1 : 0);
                    total += Math.Min(n[2], 2);
                }
            }
        }
        return total == 0 ? 0 : (double)nonZero / total;
    }
}
