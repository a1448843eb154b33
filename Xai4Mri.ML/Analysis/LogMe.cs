using MathNet.Numerics.LinearAlgebra;

namespace Xai4Mri.ML.Analysis;

/// <summary>LogME (You et al., ICML 2021): how well fixed features explain a target, as the per-sample log evidence of a Bayesian linear model.</summary>
/// <remarks>
/// <para>
/// For features F (N×D) and a target y, the model is y = F w + noise with prior w ~ N(0, α⁻¹I) and noise ~ N(0, β⁻¹I).
/// α and β are set by the paper's fixed-point iteration and the score is log p(y | F, α, β) / N, in nats per sample;
/// higher means the features explain the target better. Only comparisons on the same targets are meaningful.
/// </para>
/// <para>
/// Schedule and constants follow the authors' reference code (github.com/thuml/LogME, <c>LogME.py</c>,
/// <c>_fit_fixed_point</c>) so values are comparable with published ones: α = β = 1 at the start, 1e-5 added to the
/// denominators of the α and β updates, at most 11 updates, stop once t = α/β changes by at most 1e-3 relative, and the
/// evidence pairs the last α, β with the posterior mean computed before their last update. One deliberate difference:
/// log|A| runs over all D eigenvalues of A = αI + βFᵀF (the D − rank zero eigenvalues of FᵀF contribute log α each);
/// the reference code drops them when D &gt; N, a bug its authors acknowledged (thuml/LogME issue #23).
/// </para>
/// <para>
/// Linear algebra: one symmetric eigendecomposition of the smaller Gram matrix (FᵀF or FFᵀ) per call, after which each
/// iteration costs O(min(N, D)). It uses MathNet.Numerics, a well-kept library, rather than a hand-written eigensolver.
/// </para>
/// </remarks>
internal static class LogMe
{
    // The reference code's constants (see the type's remarks).
    private const double Epsilon = 1e-5;
    private const int MaxIterations = 11;
    private const double Tolerance = 1e-3;

    /// <summary>LogME of a regression target: the per-sample log evidence of y given the features.</summary>
    /// <param name="features">N×D feature matrix, one row per sample; finite values, not all zero.</param>
    /// <param name="targets">One finite target per row, not all zero. Not standardised: scaling y by c shifts the score by about −log c.</param>
    /// <returns>The log evidence divided by N (nats per sample); higher is better.</returns>
    /// <exception cref="ArgumentException">Row count mismatch, fewer than 2 rows, no columns, NaN or infinity, or all-zero features or targets.</exception>
    public static double Regression(double[,] features, double[] targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        CheckFeatures(features, targets.Length, nameof(targets));
        for (int i = 0; i < targets.Length; i++)
        {
            if (!double.IsFinite(targets[i]))
            {
                throw new ArgumentException($"targets[{i}] is {ScoreInput.Invariant(targets[i])}; LogME needs finite values.", nameof(targets));
            }
        }
        if (targets.All(v => v == 0))
        {
            // The evidence of an all-zero target only measures the 1e-5 regulariser.
            throw new ArgumentException("targets are all zero; LogME needs a target that varies.", nameof(targets));
        }
        return new Spectrum(features).Evidence(targets);
    }

    /// <summary>LogME of a regression target on single-precision feature rows (as ML.NET vector columns give them).</summary>
    /// <param name="features">N rows of D values each.</param>
    /// <param name="targets">One target per row.</param>
    /// <returns>The same value as <see cref="Regression(double[,], double[])"/> on the widened values.</returns>
    /// <exception cref="ArgumentException">Ragged rows, or any problem <see cref="Regression(double[,], double[])"/> reports.</exception>
    public static double Regression(float[][] features, float[] targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return Regression(ScoreInput.Matrix(features), Array.ConvertAll(targets, v => (double)v));
    }

    /// <summary>LogME of a classification target: the mean over classes of the evidence of each class's one-hot indicator.</summary>
    /// <param name="features">N×D feature matrix, one row per sample; finite values, not all zero.</param>
    /// <param name="labels">One label per row in 0 .. <paramref name="classCount"/> − 1; every class must occur.</param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <returns>The mean per-class log evidence divided by N (nats per sample); higher is better.</returns>
    /// <exception cref="ArgumentException">Row count mismatch, fewer than 2 rows, no columns, NaN or infinity, all-zero features,
    /// fewer than 2 classes, a label out of range, or a class without samples.</exception>
    public static double Classification(double[,] features, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount is {classCount}; classification needs at least 2 classes.");
        }
        CheckFeatures(features, labels.Length, nameof(labels));
        int[] counts = new int[classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentException($"labels[{i}] is {labels[i]}, outside 0..{classCount - 1}.", nameof(labels));
            }
            counts[labels[i]]++;
        }
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0)
        {
            // Its one-hot target would be all zeros, whose evidence only measures the 1e-5 regulariser.
            throw new ArgumentException($"class {empty} has no samples; every class in 0..{classCount - 1} must occur in labels.", nameof(labels));
        }

        var spectrum = new Spectrum(features);
        double sum = 0;
        var oneHot = new double[labels.Length];
        for (int k = 0; k < classCount; k++)
        {
            for (int i = 0; i < labels.Length; i++)
            {
                oneHot[i] = labels[i] == k ? 1 : 0;
            }
            sum += spectrum.Evidence(oneHot);
        }
        return sum / classCount;
    }

    /// <summary>LogME of a classification target on single-precision feature rows (as ML.NET vector columns give them).</summary>
    /// <param name="features">N rows of D values each.</param>
    /// <param name="labels">One label per row in 0 .. <paramref name="classCount"/> − 1.</param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <returns>The same value as <see cref="Classification(double[,], int[], int)"/> on the widened values.</returns>
    /// <exception cref="ArgumentException">Ragged rows, or any problem <see cref="Classification(double[,], int[], int)"/> reports.</exception>
    public static double Classification(float[][] features, int[] labels, int classCount) =>
        Classification(ScoreInput.Matrix(features), labels, classCount);

    private static void CheckFeatures(double[,] features, int rows, string rowsName)
    {
        ScoreInput.Features(features, rows, rowsName, "LogME");
        bool anyNonZero = false;
        foreach (double v in features)
        {
            anyNonZero |= v != 0;
        }
        if (!anyNonZero)
        {
            // Rank 0: γ = 0 drives α to 0 and the evidence to −∞.
            throw new ArgumentException("features are all zero; LogME needs at least one non-zero feature.", nameof(features));
        }
    }

    /// <summary>
    /// The non-zero eigenvalues σᵢ of FᵀF and the matching unit left singular vectors uᵢ of F: everything the
    /// evidence needs from the features, shared by all targets (the classes of a classification).
    /// </summary>
    private sealed class Spectrum
    {
        private readonly int n;
        private readonly int d;
        private readonly double[] sigma;
        private readonly Matrix<double> u;

        public Spectrum(double[,] features)
        {
            var f = Matrix<double>.Build.DenseOfArray(features);
            n = f.RowCount;
            d = f.ColumnCount;
            // FᵀF and FFᵀ share their non-zero eigenvalues; decompose the smaller one.
            bool tall = n >= d;
            var evd = (tall ? f.TransposeThisAndMultiply(f) : f.TransposeAndMultiply(f)).Evd(Symmetricity.Symmetric);
            double[] values = evd.EigenValues.Select(c => c.Real).ToArray();
            // Eigenvalues at rounding level (relative to the largest, as numpy's matrix_rank) are zeros of a
            // rank-deficient F; they can come out slightly negative, and u = F v / √σ would be noise for them.
            double cutoff = values.Max() * Math.Max(n, d) * Math.ScaleB(1.0, -52);
            int[] kept = Enumerable.Range(0, values.Length).Where(i => values[i] > cutoff).ToArray();
            sigma = kept.Select(i => values[i]).ToArray();
            u = Matrix<double>.Build.Dense(n, kept.Length);
            for (int c = 0; c < kept.Length; c++)
            {
                var v = evd.EigenVectors.Column(kept[c]);
                // For FᵀF the eigenvector is a right singular vector v and u = F v / √σ; for FFᵀ it is u itself.
                u.SetColumn(c, tall ? f * v / Math.Sqrt(sigma[c]) : v);
            }
        }

        public double Evidence(double[] target)
        {
            var y = Vector<double>.Build.DenseOfArray(target);
            // Coordinates of y in the column space of F, and what lies outside it (clamped: rounding can make it negative).
            double[] x2 = u.TransposeThisAndMultiply(y).Select(v => v * v).ToArray();
            double outside = Math.Max(0, y.DotProduct(y) - x2.Sum());

            double alpha = 1, beta = 1, m2 = 0, res2 = 0;
            for (int iteration = 0; iteration < MaxIterations; iteration++)
            {
                double t = alpha / beta;
                // In the eigenbasis: γ = Σ σ/(σ+t), |m|² = Σ σx²/(σ+t)², |y − Fm|² = Σ t²x²/(σ+t)² + |y outside|².
                double gamma = 0;
                m2 = 0;
                res2 = outside;
                for (int i = 0; i < sigma.Length; i++)
                {
                    double s = sigma[i], denominator = s + t;
                    gamma += s / denominator;
                    m2 += s * x2[i] / (denominator * denominator);
                    res2 += t * t * x2[i] / (denominator * denominator);
                }
                alpha = gamma / (m2 + Epsilon);
                beta = (n - gamma) / (res2 + Epsilon);
                if (Math.Abs((alpha / beta) - t) / t <= Tolerance)
                {
                    break;
                }
            }

            double logDetA = (d - sigma.Length) * Math.Log(alpha);
            foreach (double s in sigma)
            {
                logDetA += Math.Log(alpha + (beta * s));
            }
            double evidence = (d / 2.0 * Math.Log(alpha)) + (n / 2.0 * Math.Log(beta)) - (0.5 * logDetA)
                - (beta / 2.0 * res2) - (alpha / 2.0 * m2) - (n / 2.0 * Math.Log(2 * Math.PI));
            return evidence / n;
        }
    }
}
