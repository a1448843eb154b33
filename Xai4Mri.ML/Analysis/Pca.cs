using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Xai4Mri.ML.Analysis;

/// <summary>The first two principal components of standardised feature vectors, as a <see cref="FeatureEmbedding"/> for the report's scatter plot.</summary>
/// <remarks>
/// <para>
/// Each feature is standardised (mean 0, population standard deviation 1, as scikit-learn's StandardScaler does) so that
/// features on large scales do not decide the components alone. Features with one value in every row carry nothing and
/// cannot be scaled; they are dropped. "One value" is tested exactly (min = max), not by a variance threshold, because the
/// mean of identical floats can round and leave a spurious tiny variance.
/// </para>
/// <para>
/// The components are the right singular vectors of the centred, standardised N×D matrix X. Feature matrices are often
/// wide (60 subjects × 1,430 features) or tall (1,000 subjects × 10 features), and MathNet's SVD builds the full square
/// singular-vector matrices (D×D or N×N). So X (or Xᵀ when D &gt; N) is first reduced by a thin QR to a min(N, D) square
/// factor R and only R goes through the SVD: X = Q R = (Q U) S Vᵀ, with the same singular values.
/// </para>
/// <para>
/// A singular vector is defined up to its sign; the entry with the largest magnitude is made positive, so the same data
/// always give the same picture. Explained-variance ratios are s²ᵢ / ‖X‖²_F. When fewer than two components exist (one
/// informative feature), the missing coordinate is all zeros with ratio 0.
/// </para>
/// </remarks>
internal static class Pca
{
    /// <summary>The <see cref="FeatureEmbedding.Method"/> this class writes.</summary>
    internal const string MethodName = "PCA";

    /// <summary>Projects the rows of <paramref name="features"/> onto their first two principal components.</summary>
    /// <param name="features">N rows of D finite values each; N ≥ 3, any D ≥ 1.</param>
    /// <param name="labels">One label per row: the regression target, or a class index into <paramref name="classNames"/>.</param>
    /// <param name="classNames">The class names when the labels are classes; null for a regression target.</param>
    /// <returns>The embedding; its arrays are new and its labels a copy.</returns>
    /// <exception cref="ArgumentException">Fewer than 3 rows, no columns, ragged rows, NaN or infinity, a label count that differs
    /// from the row count, a class label that is not an index into <paramref name="classNames"/>, or every feature constant.</exception>
    internal static FeatureEmbedding Project(float[][] features, float[] labels, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        int n = features.Length;
        int d = Check(features);
        if (labels.Length != n)
        {
            throw new ArgumentException($"features has {n} rows but labels has {labels.Length} values", nameof(labels));
        }
        CheckLabels(labels, classNames);

        var x = Standardised(features, d);
        double total = Math.Pow(x.FrobeniusNorm(), 2);
        var (directions, singular) = RightSingularVectors(x);

        var coordinates = new double[2][];
        var ratios = new double[2];
        for (int c = 0; c < 2; c++)
        {
            if (c >= singular.Length)
            {
                coordinates[c] = new double[n];
                continue;
            }
            var v = directions.Column(c);
            if (v[v.AbsoluteMaximumIndex()] < 0)
            {
                v = v.Negate();
            }
            coordinates[c] = (x * v).ToArray();
            ratios[c] = singular[c] * singular[c] / total;
        }
        return new FeatureEmbedding(MethodName, coordinates[0], coordinates[1], (float[])labels.Clone(), classNames?.ToArray(), ratios);
    }

    /// <summary>The row count is at least 3, rows are equally long and non-empty, and every value is finite; returns D.</summary>
    private static int Check(float[][] features)
    {
        if (features.Length < 3)
        {
            throw new ArgumentException($"PCA needs at least 3 samples; features has {features.Length} row(s)", nameof(features));
        }
        int d = features[0]?.Length ?? throw new ArgumentException("features[0] is null", nameof(features));
        if (d == 0)
        {
            throw new ArgumentException("features has no columns", nameof(features));
        }
        for (int i = 0; i < features.Length; i++)
        {
            var row = features[i] ?? throw new ArgumentException($"features[{i}] is null", nameof(features));
            if (row.Length != d)
            {
                throw new ArgumentException($"features[{i}] has {row.Length} values but features[0] has {d}", nameof(features));
            }
            for (int j = 0; j < d; j++)
            {
                if (!float.IsFinite(row[j]))
                {
                    throw new ArgumentException($"features[{i}][{j}] is {row[j].ToString(CultureInfo.InvariantCulture)}; PCA needs finite values", nameof(features));
                }
            }
        }
        return d;
    }

    private static void CheckLabels(float[] labels, IReadOnlyList<string>? classNames)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            float label = labels[i];
            if (!float.IsFinite(label))
            {
                throw new ArgumentException($"labels[{i}] is {label.ToString(CultureInfo.InvariantCulture)}; every plotted subject needs a label", nameof(labels));
            }
            // Class labels colour the points by ClassNames[label], so each must be a valid index.
            if (classNames is not null && (label != MathF.Floor(label) || label < 0 || label >= classNames.Count))
            {
                throw new ArgumentException(
                    $"labels[{i}] is {label.ToString(CultureInfo.InvariantCulture)}, not a class index in 0..{classNames.Count - 1}", nameof(labels));
            }
        }
    }

    /// <summary>The centred, standardised matrix of the features that vary (see the type's remarks).</summary>
    private static Matrix<double> Standardised(float[][] features, int d)
    {
        int n = features.Length;
        var kept = new List<(int Column, double Mean, double Scale)>();
        for (int j = 0; j < d; j++)
        {
            float min = features[0][j], max = min;
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                min = Math.Min(min, features[i][j]);
                max = Math.Max(max, features[i][j]);
                sum += features[i][j];
            }
            if (min == max)
            {
                continue;
            }
            double mean = sum / n, squares = 0;
            for (int i = 0; i < n; i++)
            {
                double deviation = features[i][j] - mean;
                squares += deviation * deviation;
            }
            kept.Add((j, mean, Math.Sqrt(squares / n)));
        }
        if (kept.Count == 0)
        {
            throw new ArgumentException($"all {d} features are constant across the {n} rows; PCA needs a feature that varies", nameof(features));
        }
        return Matrix<double>.Build.Dense(n, kept.Count, (i, c) => (features[i][kept[c].Column] - kept[c].Mean) / kept[c].Scale);
    }

    /// <summary>The right singular vectors of <paramref name="x"/> (columns, by decreasing singular value) and the singular values.</summary>
    private static (Matrix<double> Directions, double[] Singular) RightSingularVectors(Matrix<double> x)
    {
        // A thin QR of the tall orientation leaves a min(N, D) square R (see the type's remarks).
        bool wide = x.ColumnCount > x.RowCount;
        QR<double> qr = (wide ? x.Transpose() : x).QR(QRMethod.Thin);
        Svd<double> svd = qr.R.Svd(computeVectors: true);
        // Tall: X = Q U S Vᵀ, directions V. Wide: Xᵀ = Q U S Vᵀ, so X = V S (Q U)ᵀ and the directions are Q U.
        var directions = wide ? qr.Q * svd.U : svd.VT.Transpose();
        return (directions, svd.S.ToArray());
    }
}
