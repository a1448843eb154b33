namespace Xai4Mri.ML.Analysis;

/// <summary>LEEP (Nguyen et al., ICML 2020): the log expected empirical prediction of target labels from a source model's output distribution.</summary>
/// <remarks>
/// For source distributions θ(xᵢ) over source classes z and target labels yᵢ: the empirical joint
/// P̂(y, z) = (1/N) Σ_{i: yᵢ = y} θ(xᵢ)_z, the conditional P̂(y | z) = P̂(y, z) / P̂(z), and
/// LEEP = (1/N) Σᵢ log Σ_z P̂(yᵢ | z) θ(xᵢ)_z — the mean log-likelihood of the classifier that maps the source's
/// output to target labels through P̂(y | z). It is at most 0; higher is better. A source class no sample puts mass
/// on (P̂(z) = 0) takes no part. Our source networks regress age; <see cref="RegressionSource"/> turns their predictions
/// into the distributions this needs.
/// </remarks>
internal static class Leep
{
    // How far a row of probabilities may sum from 1 (float outputs of a softmax, rounding of bin masses).
    private const double SumTolerance = 1e-6;

    /// <summary>LEEP of target labels given the source's distribution for each sample.</summary>
    /// <param name="sourceProbabilities">N×Z: row i is θ(xᵢ), non-negative and summing to 1.</param>
    /// <param name="labels">One target label per row in 0 .. <paramref name="classCount"/> − 1; every class must occur.</param>
    /// <param name="classCount">Number of target classes, at least 2.</param>
    /// <returns>The mean log expected empirical prediction, ≤ 0; higher is better.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> below 2.</exception>
    /// <exception cref="ArgumentException">Row count mismatch, no source classes, a probability negative or not finite,
    /// a row that does not sum to 1, a label out of range, or a class without samples.</exception>
    public static double Score(double[,] sourceProbabilities, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(sourceProbabilities);
        ArgumentNullException.ThrowIfNull(labels);
        int n = sourceProbabilities.GetLength(0), z = sourceProbabilities.GetLength(1);
        if (n != labels.Length)
        {
            throw new ArgumentException($"sourceProbabilities has {n} rows but labels has {labels.Length} values; they must match.", nameof(labels));
        }
        if (z < 1)
        {
            throw new ArgumentException("sourceProbabilities has no columns (source classes).", nameof(sourceProbabilities));
        }
        ScoreInput.Classes(labels, classCount, nameof(labels), nameof(classCount));
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < z; j++)
            {
                double v = sourceProbabilities[i, j];
                if (!double.IsFinite(v) || v < 0)
                {
                    throw new ArgumentException($"sourceProbabilities[{i},{j}] is {ScoreInput.Invariant(v)}; probabilities must be finite and non-negative.", nameof(sourceProbabilities));
                }
                sum += v;
            }
            if (Math.Abs(sum - 1) > SumTolerance)
            {
                throw new ArgumentException($"sourceProbabilities row {i} sums to {ScoreInput.Invariant(sum)}; each row must be a distribution (sum 1).", nameof(sourceProbabilities));
            }
        }

        var joint = new double[classCount, z];
        var marginal = new double[z];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < z; j++)
            {
                joint[labels[i], j] += sourceProbabilities[i, j] / n;
                marginal[j] += sourceProbabilities[i, j] / n;
            }
        }
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double expected = 0;
            for (int j = 0; j < z; j++)
            {
                if (marginal[j] > 0)
                {
                    expected += joint[labels[i], j] / marginal[j] * sourceProbabilities[i, j];
                }
            }
            total += Math.Log(expected);
        }
        return total / n;
    }
}
