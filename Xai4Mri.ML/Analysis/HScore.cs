using MathNet.Numerics.LinearAlgebra;

namespace Xai4Mri.ML.Analysis;

/// <summary>H-score (Bao et al., ICIP 2019) with Ledoit–Wolf shrinkage: how well fixed features separate the classes of a target.</summary>
/// <remarks>
/// <para>
/// H(f) = tr(cov(f)⁻¹ cov(E[f | y])): the between-class covariance of the features measured in units of their total
/// covariance, an asymptotic measure of how well the features predict y through the best linear (softmax) head.
/// Higher is better; it lies in [0, k − 1] for k classes. Both covariances use divisor N.
/// </para>
/// <para>
/// With N (20–300 subjects) below the feature dimension the sample covariance is singular and the plain H-score
/// saturates: once D ≥ N − 1 it equals k − 1 for any features (the pseudo-inverse explains every class perfectly).
/// Following Ibrahim, Ponomareva and Mazumder (ECML PKDD 2022, "Newer is not always better"), the covariance is therefore shrunk:
/// cov_α = (1 − α) S + α μ I with μ = tr(S)/D and α the Ledoit–Wolf (2004) coefficient, and the score is
/// tr(cov_α⁻¹ (1 − α) cov(E[f | y])). α is estimated from the data (no tuning parameter); an overload takes a fixed α,
/// and α = 0 is Bao et al.'s original (with a pseudo-inverse).
/// </para>
/// <para>
/// Linear algebra runs in the N×N Gram space (one symmetric eigendecomposition), so the cost is O(N²D + N³) whatever D:
/// the 10,920 raw block means of a 2 mm cohort cost as little as the 64 penultimate units.
/// </para>
/// </remarks>
internal static class HScore
{
    /// <summary>Quantile bins used by <see cref="Regression(double[,], double[], int)"/> unless told otherwise: 5, about 12 subjects per bin at N = 60.</summary>
    public const int DefaultRegressionBins = 5;

    // Eigenvalues of the Gram matrix below this share of the largest count as zero when α = 0 (the pseudo-inverse's
    // numerical rank; NumPy's pinv with rcond 1e-10).
    private const double RankCutoff = 1e-10;

    /// <summary>The shrinkage H-score of class labels.</summary>
    /// <param name="features">N×D features, one row per sample; finite, not every column constant.</param>
    /// <param name="labels">One label per row in 0 .. <paramref name="classCount"/> − 1; every class must occur.</param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <returns>The score, in [0, classCount − 1]; higher is better.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> below 2.</exception>
    /// <exception cref="ArgumentException">Row count mismatch, fewer than 2 rows, no columns, NaN or infinity, every column constant, a label out of range, or a class without samples.</exception>
    public static double Classification(double[,] features, int[] labels, int classCount) =>
        Evaluate(features, labels, classCount, null).Score;

    /// <summary>The H-score of class labels with a fixed shrinkage α (0: Bao et al.'s original, pseudo-inverse).</summary>
    /// <param name="features">N×D features.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <param name="shrinkage">α in [0, 1].</param>
    /// <returns>tr(cov_α⁻¹ (1 − α) cov(E[f | y])).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shrinkage"/> outside [0, 1], or <paramref name="classCount"/> below 2.</exception>
    /// <exception cref="ArgumentException">As <see cref="Classification(double[,], int[], int)"/>.</exception>
    public static double Classification(double[,] features, int[] labels, int classCount, double shrinkage)
    {
        if (!(shrinkage >= 0 && shrinkage <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(shrinkage), shrinkage, $"shrinkage is {ScoreInput.Invariant(shrinkage)}; it must lie in [0, 1].");
        }
        return Evaluate(features, labels, classCount, shrinkage).Score;
    }

    /// <summary>The shrinkage H-score of class labels on single-precision rows (as ML.NET vector columns give them).</summary>
    /// <param name="features">N rows of D values each.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <returns>The same value as <see cref="Classification(double[,], int[], int)"/> on the widened values.</returns>
    /// <exception cref="ArgumentException">Ragged rows, or any problem the double overload reports.</exception>
    public static double Classification(float[][] features, int[] labels, int classCount) =>
        Classification(ScoreInput.Matrix(features), labels, classCount);

    /// <summary>
    /// The shrinkage H-score of a regression target cut into <paramref name="bins"/> equal-count bins
    /// (<see cref="QuantileBins"/>): the class means estimate E[f | y] by a regressogram.
    /// </summary>
    /// <param name="features">N×D features.</param>
    /// <param name="targets">One finite target per row, not all equal.</param>
    /// <param name="bins">Bins to aim for, at least 2 (ties can leave fewer).</param>
    /// <returns>The score, in [0, bins kept − 1]; higher is better. Compare only scores with the same bins.</returns>
    /// <exception cref="ArgumentException">Row count mismatch, NaN or infinity, targets all equal, or any problem <see cref="Classification(double[,], int[], int)"/> reports.</exception>
    public static double Regression(double[,] features, double[] targets, int bins = DefaultRegressionBins)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ScoreInput.Features(features, targets.Length, nameof(targets), "H-score");
        int[] labels = QuantileBins.Assign(targets, bins, nameof(targets));
        return Classification(features, labels, labels.Max() + 1);
    }

    /// <summary>The regression H-score on single-precision rows and targets.</summary>
    /// <param name="features">N rows of D values each.</param>
    /// <param name="targets">One target per row.</param>
    /// <param name="bins">Bins to aim for.</param>
    /// <returns>The same value as <see cref="Regression(double[,], double[], int)"/> on the widened values.</returns>
    /// <exception cref="ArgumentException">Ragged rows, or any problem the double overload reports.</exception>
    public static double Regression(float[][] features, float[] targets, int bins = DefaultRegressionBins)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return Regression(ScoreInput.Matrix(features), Array.ConvertAll(targets, v => (double)v), bins);
    }

    /// <summary>The score and the shrinkage it used (the Ledoit–Wolf estimate when <paramref name="shrinkage"/> is null).</summary>
    internal static (double Score, double Shrinkage) Evaluate(double[,] features, int[] labels, int classCount, double? shrinkage)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ScoreInput.Features(features, labels.Length, nameof(labels), "H-score");
        int[] counts = ScoreInput.Classes(labels, classCount, nameof(labels), nameof(classCount));
        int n = features.GetLength(0), d = features.GetLength(1);

        var x = Centred(features, out bool anyVaries);
        if (!anyVaries)
        {
            // No covariance to measure anything in.
            throw new ArgumentException("every feature column is constant; the H-score needs features that vary.", nameof(features));
        }
        var gram = x.TransposeAndMultiply(x);
        double mu = gram.Trace() / n / d;
        double alpha = shrinkage ?? LedoitWolf(gram, n, d, mu);

        // X cov_α⁻¹ Xᵀ = U diag(λ / (c + aλ)) Uᵀ for the Gram matrix X Xᵀ = U Λ Uᵀ, with cov_α = c I + a XᵀX.
        double c = alpha * mu, a = (1 - alpha) / n;
        var evd = gram.Evd(Symmetricity.Symmetric);
        double[] lambda = [.. evd.EigenValues.Select(z => z.Real)];
        double cutoff = alpha == 0 ? lambda.Max() * RankCutoff : 0;

        // Class-mean rows √p_k m_k = P X; P is centred along its rows (P 1 = 0), which leaves P X unchanged because
        // the columns of X sum to zero, and keeps the constant direction (a zero eigenvalue of X Xᵀ) out of the sum.
        var p = Matrix<double>.Build.Dense(classCount, n, (k, i) =>
            (labels[i] == k ? Math.Sqrt(counts[k] / (double)n) / counts[k] : 0) - (Math.Sqrt(counts[k] / (double)n) / n));
        var projected = p * evd.EigenVectors;
        double trace = 0;
        for (int i = 0; i < n; i++)
        {
            if (lambda[i] > cutoff)
            {
                trace += lambda[i] / (c + (a * lambda[i])) * projected.Column(i).DotProduct(projected.Column(i));
            }
        }
        return ((1 - alpha) * trace, alpha);
    }

    /// <summary>
    /// The Ledoit–Wolf (2004) shrinkage coefficient b²/d² of the sample covariance S = XᵀX/N towards μI, from the Gram
    /// matrix K = XXᵀ: d² = ‖S − μI‖²/D, b̄² = Σₖ‖xₖxₖᵀ − S‖²/(D N²) = (Σₖ Kₖₖ² − ‖K‖²/N)/(D N²), b² = min(b̄², d²).
    /// </summary>
    private static double LedoitWolf(Matrix<double> gram, int n, int d, double mu)
    {
        double gramSquares = gram.Enumerate().Sum(v => v * v);
        double diagonalSquares = gram.Diagonal().Sum(v => v * v);
        double delta = ((gramSquares / ((double)n * n)) - (d * mu * mu)) / d;
        double beta = Math.Min(((diagonalSquares - (gramSquares / n)) / ((double)d * n * n)), delta);
        return beta > 0 ? beta / delta : 0;
    }

    // Columns minus their means; a constant column becomes exactly 0 (its computed mean can differ from the value
    // in the last bit, and that rounding must not count as variation).
    private static Matrix<double> Centred(double[,] features, out bool anyVaries)
    {
        var x = Matrix<double>.Build.DenseOfArray(features);
        anyVaries = false;
        for (int j = 0; j < x.ColumnCount; j++)
        {
            var column = x.Column(j);
            bool varies = column.Minimum() != column.Maximum();
            anyVaries |= varies;
            x.SetColumn(j, varies ? column - column.Average() : Vector<double>.Build.Dense(column.Count));
        }
        return x;
    }
}
