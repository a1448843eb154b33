namespace Xai4Mri.ML.Volumes;

/// <summary>
/// How strongly an image is shaded by a smooth intensity non-uniformity (bias field): a second-order polynomial fitted
/// to the log intensity inside the head, on the voxels of its brightest tissue, and the coefficient of variation of
/// the fitted field over the head. Anatomy varies from voxel to voxel and a bias field only slowly, so the smooth fit
/// follows the field; 0 means a uniform image, 0.1 a field of about ±10 %. It tells users when to correct it (N4).
/// </summary>
internal static class BiasField
{
    // Voxels used for the fit at most (evenly strided): a low-order fit needs far fewer than a 1 mm head holds.
    private const int MaxSamples = 30_000;

    // Starting from a flat field, the fit is made on the voxels whose corrected log intensity lies within a window
    // around the brightest large peak of its histogram (white matter in T1w), narrowing round by round: one tissue,
    // so that neither the mixture of tissues nor partial-volume edges bend the field.
    private static readonly double[] Windows = [0.3, 0.2, 0.12, 0.08, 0.05];
    private const double Bin = 0.01;

    /// <summary>The coefficient of variation of the fitted field over the head, or NaN when the image has no head to fit.</summary>
    public static double Strength(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (volume.Shape.Any(d => d < 3))
        {
            return double.NaN;
        }
        HeadStatistics stats;
        try
        {
            stats = HeadStatistics.Estimate(volume, volume.Data);
        }
        catch (ArgumentException)
        {
            return double.NaN;
        }
        var (x, y) = Samples(volume, stats);
        if (y.Count < 100)
        {
            return double.NaN;
        }
        int n = y.Count;
        var use = Enumerable.Repeat(true, n).ToArray();
        // A flat start: a fit to every voxel would take the bright centre and darker cortex for a field, and then
        // keep selecting whatever agrees with it.
        double[] beta = new double[10];
        var residual = new double[n];
        foreach (double window in Windows)
        {
            for (int s = 0; s < n; s++)
            {
                residual[s] = y[s] - Evaluate(beta, x[s]);
            }
            double peak = UpperPeak(residual);
            int used = 0;
            for (int s = 0; s < n; s++)
            {
                use[s] = Math.Abs(residual[s] - peak) <= window;
                used += use[s] ? 1 : 0;
            }
            if (used < 100)
            {
                break;
            }
            beta = Fit(x, y, use);
        }
        // The field over the whole head (every sample), up to its constant term.
        double sum = 0, sumSq = 0;
        for (int s = 0; s < n; s++)
        {
            double f = Math.Exp(Evaluate(beta, x[s]) - beta[0]);
            sum += f;
            sumSq += f * f;
        }
        double mean = sum / n;
        return Math.Sqrt(Math.Max(0, (sumSq / n) - (mean * mean))) / mean;
    }

    /// <summary>The most frequent value (histogram of <see cref="Bin"/>, smoothed over five bins) among the residuals above their median.</summary>
    private static double UpperPeak(double[] residual)
    {
        var sorted = (double[])residual.Clone();
        Array.Sort(sorted);
        double median = sorted[sorted.Length / 2], max = sorted[^1];
        int bins = Math.Max(1, (int)Math.Ceiling((max - median) / Bin) + 1);
        var counts = new double[bins];
        foreach (double r in residual)
        {
            if (r >= median)
            {
                counts[Math.Min(bins - 1, (int)((r - median) / Bin))]++;
            }
        }
        int best = 0;
        double bestCount = -1;
        for (int b = 0; b < bins; b++)
        {
            double c = 0;
            for (int d = Math.Max(0, b - 2); d <= Math.Min(bins - 1, b + 2); d++)
            {
                c += counts[d];
            }
            if (c > bestCount)
            {
                bestCount = c;
                best = b;
            }
        }
        return median + ((best + 0.5) * Bin);
    }

    /// <summary>Positions (normalised by the head's radius about its centre) and log intensities of the voxels above the head threshold.</summary>
    private static (List<double[]> X, List<double> Y) Samples(Volume volume, HeadStatistics stats)
    {
        float[] data = volume.Data;
        long above = 0;
        foreach (float v in data)
        {
            above += v > stats.Threshold && v > 0 ? 1 : 0;
        }
        long stride = Math.Max(1, above / MaxSamples);
        var x = new List<double[]>();
        var y = new List<double>();
        int[] shape = volume.Shape;
        var (cx, cy, cz) = stats.Centre;
        double radius = Math.Max(stats.Radius, 1);
        long seen = 0;
        for (int i = 0; i < shape[0]; i++)
        {
            for (int j = 0; j < shape[1]; j++)
            {
                int o = volume.Index(i, j, 0);
                for (int k = 0; k < shape[2]; k++)
                {
                    float v = data[o + k];
                    if (!(v > stats.Threshold) || v <= 0 || seen++ % stride != 0)
                    {
                        continue;
                    }
                    var (wx, wy, wz) = volume.Affine.Apply(i, j, k);
                    x.Add(Terms((wx - cx) / radius, (wy - cy) / radius, (wz - cz) / radius));
                    y.Add(Math.Log(v));
                }
            }
        }
        return (x, y);
    }

    /// <summary>The ten terms of a full second-order polynomial.</summary>
    private static double[] Terms(double a, double b, double c) => [1, a, b, c, a * a, b * b, c * c, a * b, a * c, b * c];

    private static double Evaluate(double[] beta, double[] terms)
    {
        double s = 0;
        for (int t = 0; t < beta.Length; t++)
        {
            s += beta[t] * terms[t];
        }
        return s;
    }

    /// <summary>Least squares on the samples in use, through the normal equations (ten unknowns; a tiny ridge keeps them solvable).</summary>
    private static double[] Fit(List<double[]> x, List<double> y, bool[] use)
    {
        const int p = 10;
        var a = new double[p, p + 1];
        for (int s = 0; s < y.Count; s++)
        {
            if (!use[s])
            {
                continue;
            }
            double[] t = x[s];
            for (int r = 0; r < p; r++)
            {
                for (int c = 0; c < p; c++)
                {
                    a[r, c] += t[r] * t[c];
                }
                a[r, p] += t[r] * y[s];
            }
        }
        for (int r = 0; r < p; r++)
        {
            a[r, r] += 1e-9 * (1 + a[r, r]);
        }
        // Gaussian elimination with partial pivoting.
        for (int col = 0; col < p; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < p; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }
            for (int c = 0; c <= p; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }
            for (int r = 0; r < p; r++)
            {
                if (r == col || a[col, col] == 0)
                {
                    continue;
                }
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= p; c++)
                {
                    a[r, c] -= f * a[col, c];
                }
            }
        }
        var beta = new double[p];
        for (int r = 0; r < p; r++)
        {
            beta[r] = a[r, r] == 0 ? 0 : a[r, p] / a[r, r];
        }
        return beta;
    }
}
