namespace Xai4Mri.ML.Volumes;

/// <summary>
/// The global intensity and geometry estimates that start Smith's (2002) brain extraction: the robust range
/// t2–t98, the brain/background threshold t, the centre of gravity of the voxels above t, the radius of the
/// sphere holding their volume, and the median intensity tm of the voxels inside that sphere.
/// </summary>
internal sealed class HeadStatistics
{
    // Histogram resolution for the percentiles: 2^16 bins resolve every value of 8- and 12-bit data exactly.
    private const int Bins = 65536;

    private HeadStatistics()
    {
    }

    /// <summary>2nd percentile of all voxels (the robust minimum).</summary>
    public double T2 { get; private init; }

    /// <summary>98th percentile of all voxels (the robust maximum).</summary>
    public double T98 { get; private init; }

    /// <summary>Brain/background threshold: 10 % of the way from t2 to t98.</summary>
    public double Threshold { get; private init; }

    /// <summary>Median of the voxels between t2 and t98 inside the sphere of <see cref="Radius"/> around the centre.</summary>
    public double Median { get; private init; }

    /// <summary>World position (mm) of the intensity-weighted centre of the voxels above t (intensities capped at t98).</summary>
    public (double X, double Y, double Z) Centre { get; private init; }

    /// <summary>Radius (mm) of a sphere holding the volume of all voxels above t.</summary>
    public double Radius { get; private init; }

    /// <summary>Volume (mL) of the voxels above t.</summary>
    public double VolumeAboveThresholdMl { get; private init; }

    /// <summary>Volume of one voxel in mm³ (the absolute determinant of the affine's linear part).</summary>
    public double VoxelVolume { get; private init; }

    /// <summary>Estimates the statistics; throws when the image has no intensity range above its background.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 % of the voxels rise above the rest, so no head can be found.</exception>
    public static HeadStatistics Estimate(Volume volume, float[] data)
    {
        double voxelVolume = VoxelVolumeOf(volume);
        double[] range = Quantiles(data, 0.02, 0.98);
        double t2 = range[0], t98 = range[1];
        if (!(t98 > t2))
        {
            throw new ArgumentException(
                $"the image has no intensity range (2nd and 98th percentiles are both {t2:G4}): it is all background, constant, or its object fills under 2 % of the grid",
                nameof(volume));
        }
        double t = t2 + (0.1 * (t98 - t2));
        int[] n = volume.Shape;
        var affine = volume.Affine;
        // Per-slab sums added in slab order keep the result independent of thread scheduling.
        var sums = new double[n[0], 5];
        Parallel.For(0, n[0], i =>
        {
            double w = 0, wx = 0, wy = 0, wz = 0, count = 0;
            for (int j = 0; j < n[1]; j++)
            {
                int o = volume.Index(i, j, 0);
                for (int k = 0; k < n[2]; k++)
                {
                    double v = data[o + k];
                    if (v > t)
                    {
                        double c = Math.Min(v, t98);
                        var (x, y, z) = affine.Apply(i, j, k);
                        w += c;
                        wx += c * x;
                        wy += c * y;
                        wz += c * z;
                        count++;
                    }
                }
            }
            sums[i, 0] = w;
            sums[i, 1] = wx;
            sums[i, 2] = wy;
            sums[i, 3] = wz;
            sums[i, 4] = count;
        });
        double sw = 0, sx = 0, sy = 0, sz = 0, above = 0;
        for (int i = 0; i < n[0]; i++)
        {
            sw += sums[i, 0];
            sx += sums[i, 1];
            sy += sums[i, 2];
            sz += sums[i, 3];
            above += sums[i, 4];
        }
        var centre = (sx / sw, sy / sw, sz / sw);
        double volumeMm3 = above * voxelVolume;
        double radius = Math.Cbrt(3 * volumeMm3 / (4 * Math.PI));
        double median = MedianInSphere(volume, data, centre, radius, t2, t98);
        return new HeadStatistics
        {
            T2 = t2,
            T98 = t98,
            Threshold = t,
            Median = double.IsNaN(median) ? (t + t98) / 2 : median,
            Centre = centre,
            Radius = radius,
            VolumeAboveThresholdMl = volumeMm3 / 1000,
            VoxelVolume = voxelVolume,
        };
    }

    /// <summary>Absolute determinant of the affine's linear part: the voxel volume in mm³.</summary>
    public static double VoxelVolumeOf(Volume volume)
    {
        var a = volume.Affine;
        double det = (a[0, 0] * ((a[1, 1] * a[2, 2]) - (a[1, 2] * a[2, 1])))
            - (a[0, 1] * ((a[1, 0] * a[2, 2]) - (a[1, 2] * a[2, 0])))
            + (a[0, 2] * ((a[1, 0] * a[2, 1]) - (a[1, 1] * a[2, 0])));
        return Math.Abs(det);
    }

    /// <summary>Quantiles (fractions in [0, 1]) of all values, from a histogram fine enough to hold 16-bit data exactly.</summary>
    public static double[] Quantiles(float[] data, params double[] fractions)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in data)
        {
            if (v < min)
            {
                min = v;
            }
            if (v > max)
            {
                max = v;
            }
        }
        if (!(max > min))
        {
            return fractions.Select(_ => (double)min).ToArray();
        }
        var histogram = new long[Bins];
        double scale = (Bins - 1) / ((double)max - min);
        foreach (float v in data)
        {
            // The float difference keeps the bins every earlier result came from; for values near ±float.MaxValue it
            // overflows to infinity, which is no bin, so those are placed in double.
            float offset = v - min;
            double position = float.IsFinite(offset) ? offset * scale : ((double)v - min) * scale;
            histogram[Math.Min(Bins - 1, (int)position)]++;
        }
        return fractions.Select(q => FromHistogram(histogram, data.Length, q, min, scale)).ToArray();
    }

    private static double FromHistogram(long[] histogram, long total, double q, double min, double scale)
    {
        double target = q * total;
        long cumulative = 0;
        for (int b = 0; b < histogram.Length; b++)
        {
            if (cumulative + histogram[b] >= target && histogram[b] > 0)
            {
                // Values that fall in one bin are taken as one value: discrete data keep their exact levels.
                return min + (b / scale);
            }
            cumulative += histogram[b];
        }
        return min + ((histogram.Length - 1) / scale);
    }

    private static double MedianInSphere(Volume volume, float[] data, (double X, double Y, double Z) centre, double radius, double t2, double t98)
    {
        const int medianBins = 4096;
        int[] n = volume.Shape;
        var affine = volume.Affine;
        double r2 = radius * radius;
        double scale = (medianBins - 1) / (t98 - t2);
        var slabs = new int[n[0]][];
        Parallel.For(0, n[0], i =>
        {
            var histogram = new int[medianBins];
            for (int j = 0; j < n[1]; j++)
            {
                int o = volume.Index(i, j, 0);
                for (int k = 0; k < n[2]; k++)
                {
                    float v = data[o + k];
                    if (v > t2 && v < t98)
                    {
                        var (x, y, z) = affine.Apply(i, j, k);
                        double dx = x - centre.X, dy = y - centre.Y, dz = z - centre.Z;
                        if ((dx * dx) + (dy * dy) + (dz * dz) < r2)
                        {
                            histogram[(int)((v - t2) * scale)]++;
                        }
                    }
                }
            }
            slabs[i] = histogram;
        });
        var total = new long[medianBins];
        long count = 0;
        foreach (int[] h in slabs)
        {
            for (int b = 0; b < medianBins; b++)
            {
                total[b] += h[b];
                count += h[b];
            }
        }
        if (count == 0)
        {
            return double.NaN;
        }
        long cumulative = 0;
        for (int b = 0; b < medianBins; b++)
        {
            cumulative += total[b];
            if (2 * cumulative >= count)
            {
                return t2 + ((b + 0.5) / scale);
            }
        }
        return t98;
    }
}
