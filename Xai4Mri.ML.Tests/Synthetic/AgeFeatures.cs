using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>
/// A minimal brain-age baseline: the image in RAS order, cropped to the brain's bounding box and centred in a fixed
/// box (as xai4mri's prune step does), normalised by its mean brain intensity and averaged over 2×2×2 blocks;
/// then closed-form ridge regression in its dual form (fewer subjects than features).
/// </summary>
internal static class AgeFeatures
{
    /// <summary>Box in millimetres around the brain (left-right, posterior-anterior, inferior-superior).</summary>
    private static readonly double[] BoxMm = [176, 208, 160];

    public static double[] FromImage(MriImage image)
    {
        float[] data = image.GetFloatData();
        var axes = Orientation.IoOrientation(image.Affine);
        int[] stored = image.Shape.Take(3).Select(d => (int)d).ToArray();
        var n = new int[3];
        for (int a = 0; a < 3; a++)
        {
            n[axes[a].WorldAxis] = stored[a];
        }
        var ras = new float[data.Length];
        var lo = new[] { int.MaxValue, int.MaxValue, int.MaxValue };
        var hi = new[] { -1, -1, -1 };
        int o = 0;
        for (int k = 0; k < stored[2]; k++)
        {
            for (int j = 0; j < stored[1]; j++)
            {
                for (int i = 0; i < stored[0]; i++, o++)
                {
                    int[] s = [i, j, k];
                    var c = new int[3];
                    for (int a = 0; a < 3; a++)
                    {
                        var (w, dir) = axes[a];
                        c[w] = dir > 0 ? s[a] : n[w] - 1 - s[a];
                    }
                    ras[c[0] + (n[0] * (c[1] + (n[1] * c[2])))] = data[o];
                    if (data[o] != 0)
                    {
                        for (int a = 0; a < 3; a++)
                        {
                            lo[a] = Math.Min(lo[a], c[a]);
                            hi[a] = Math.Max(hi[a], c[a]);
                        }
                    }
                }
            }
        }
        double mean = data.Where(v => v != 0).Average(v => (double)v);
        int[] box = BoxMm.Select((mm, a) => 2 * (int)Math.Round(mm / image.Zooms[a] / 2)).ToArray();
        int[] offset = Enumerable.Range(0, 3).Select(a => lo[a] - ((box[a] - (hi[a] - lo[a] + 1)) / 2)).ToArray();
        var features = new double[box[0] / 2 * (box[1] / 2) * (box[2] / 2)];
        for (int k = 0; k < box[2]; k++)
        {
            for (int j = 0; j < box[1]; j++)
            {
                for (int i = 0; i < box[0]; i++)
                {
                    int x = i + offset[0], y = j + offset[1], z = k + offset[2];
                    if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2])
                    {
                        continue;
                    }
                    features[(i / 2) + (box[0] / 2 * ((j / 2) + (box[1] / 2 * (k / 2))))] += ras[x + (n[0] * (y + (n[1] * z)))] / mean;
                }
            }
        }
        return features;
    }

    /// <summary>R² of out-of-fold predictions (subject i in fold i mod <paramref name="folds"/>), features standardised on each training set.</summary>
    public static double CrossValidatedRidgeR2(double[][] x, double[] y, int folds, double lambda)
    {
        var predictions = new double[y.Length];
        for (int fold = 0; fold < folds; fold++)
        {
            int[] train = Enumerable.Range(0, y.Length).Where(i => i % folds != fold).ToArray();
            int[] test = Enumerable.Range(0, y.Length).Where(i => i % folds == fold).ToArray();
            Fit(x, y, train, test, lambda, predictions);
        }
        double mean = y.Average();
        double residual = y.Select((v, i) => (v - predictions[i]) * (v - predictions[i])).Sum();
        double total = y.Select(v => (v - mean) * (v - mean)).Sum();
        return 1 - (residual / total);
    }

    private static void Fit(double[][] x, double[] y, int[] train, int[] test, double lambda, double[] predictions)
    {
        int p = x[0].Length, m = train.Length;
        var mu = new double[p];
        var sd = new double[p];
        foreach (int i in train)
        {
            for (int j = 0; j < p; j++)
            {
                mu[j] += x[i][j] / m;
            }
        }
        foreach (int i in train)
        {
            for (int j = 0; j < p; j++)
            {
                sd[j] += (x[i][j] - mu[j]) * (x[i][j] - mu[j]) / m;
            }
        }
        double[] Standardise(double[] row) => row.Select((v, j) => (v - mu[j]) / (Math.Sqrt(sd[j]) + 1e-6)).ToArray();
        double[][] z = train.Select(i => Standardise(x[i])).ToArray();
        double yMean = train.Average(i => y[i]);
        // Dual ridge: alpha = (K + lambda I)^-1 (y - mean), with the linear kernel scaled by 1/p.
        var k = new double[m, m];
        for (int a = 0; a < m; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                k[a, b] = k[b, a] = Dot(z[a], z[b]) / p;
            }
            k[a, a] += lambda;
        }
        double[] alpha = Solve(k, train.Select(i => y[i] - yMean).ToArray());
        foreach (int i in test)
        {
            double[] zi = Standardise(x[i]);
            predictions[i] = yMean + Enumerable.Range(0, m).Sum(a => alpha[a] * Dot(z[a], zi) / p);
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>Gaussian elimination with partial pivoting (the matrix is symmetric positive definite and small).</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }
            for (int q = 0; q < n; q++)
            {
                (m[c, q], m[pivot, q]) = (m[pivot, q], m[c, q]);
            }
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int q = c; q < n; q++)
                {
                    m[r, q] -= f * m[c, q];
                }
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int q = r + 1; q < n; q++)
            {
                s -= m[r, q] * x[q];
            }
            x[r] = s / m[r, r];
        }
        return x;
    }
}
