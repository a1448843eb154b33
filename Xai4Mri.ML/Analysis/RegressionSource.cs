using MathNet.Numerics;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// An age regressor's output as the categorical "source label" that LEEP and NCE assume (our adaptation): the source's
/// label range cut into bins, each prediction a hard bin (for NCE) or a Gaussian spread over the bins (for LEEP).
/// </summary>
/// <remarks>
/// LEEP and NCE were defined for source classifiers. Our source networks regress age, so a prediction ŷ becomes a
/// distribution over K age bins: hard, the bin ŷ falls in; soft, the mass of N(ŷ, σ²) in each bin, with
/// σ = MAE·√(π/2) — the standard deviation of a Gaussian error whose mean absolute value is the source's validation
/// MAE, so the spread says how far the source's predictions are off on its own task. The outer bins are open
/// (−∞ to the first edge, the last edge to ∞), so every prediction lands somewhere. The choice of K and of the range
/// is the caller's; K bins of equal width over the source's training label range are the natural default
/// (<see cref="EqualWidthEdges"/>).
/// </remarks>
internal static class RegressionSource
{
    /// <summary>The K − 1 interior edges of K equal-width bins over [<paramref name="low"/>, <paramref name="high"/>].</summary>
    /// <param name="low">Lower end of the range.</param>
    /// <param name="high">Upper end, above <paramref name="low"/>.</param>
    /// <param name="bins">K, at least 2.</param>
    /// <returns>low + k (high − low)/K for k = 1 .. K − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> below 2.</exception>
    /// <exception cref="ArgumentException">A bound not finite, or <paramref name="high"/> not above <paramref name="low"/>.</exception>
    public static double[] EqualWidthEdges(double low, double high, int bins)
    {
        if (bins < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins is {bins}; it must be at least 2.");
        }
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(high > low))
        {
            throw new ArgumentException($"the range {ScoreInput.Invariant(low)}..{ScoreInput.Invariant(high)} must be finite with high above low.", nameof(high));
        }
        return [.. Enumerable.Range(1, bins - 1).Select(k => low + (k * (high - low) / bins))];
    }

    /// <summary>The bin of each prediction: the number of edges at or below it (0 .. edges.Count).</summary>
    /// <param name="predictions">The source's predictions, finite.</param>
    /// <param name="edges">Interior bin edges, strictly increasing.</param>
    /// <returns>One bin per prediction; there are edges.Count + 1 bins.</returns>
    /// <exception cref="ArgumentException">A prediction or edge not finite, no edges, or edges not increasing.</exception>
    public static int[] Hard(IReadOnlyList<double> predictions, IReadOnlyList<double> edges)
    {
        ScoreInput.Finite(predictions, nameof(predictions), "binning");
        CheckEdges(edges);
        return [.. predictions.Select(p => edges.Count(e => e <= p))];
    }

    /// <summary>The mass of N(prediction, σ²), σ = <paramref name="meanAbsoluteError"/>·√(π/2), in each bin.</summary>
    /// <param name="predictions">The source's predictions, finite.</param>
    /// <param name="edges">Interior bin edges, strictly increasing.</param>
    /// <param name="meanAbsoluteError">The source's validation MAE, in the predictions' units; positive.</param>
    /// <returns>N × (edges.Count + 1) probabilities; each row sums to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="meanAbsoluteError"/> not positive and finite.</exception>
    /// <exception cref="ArgumentException">As <see cref="Hard"/>.</exception>
    public static double[,] Soft(IReadOnlyList<double> predictions, IReadOnlyList<double> edges, double meanAbsoluteError)
    {
        ScoreInput.Finite(predictions, nameof(predictions), "binning");
        CheckEdges(edges);
        if (!(meanAbsoluteError > 0) || !double.IsFinite(meanAbsoluteError))
        {
            throw new ArgumentOutOfRangeException(nameof(meanAbsoluteError), meanAbsoluteError, $"meanAbsoluteError is {ScoreInput.Invariant(meanAbsoluteError)}; it must be positive and finite.");
        }
        double sd = meanAbsoluteError * Math.Sqrt(Math.PI / 2);
        int k = edges.Count + 1;
        var p = new double[predictions.Count, k];
        for (int i = 0; i < predictions.Count; i++)
        {
            for (int b = 0; b < k; b++)
            {
                double lower = b == 0 ? double.NegativeInfinity : (edges[b - 1] - predictions[i]) / sd;
                double upper = b == k - 1 ? double.PositiveInfinity : (edges[b] - predictions[i]) / sd;
                // Above the mean, difference the upper tails: the masses far out keep their relative precision.
                p[i, b] = lower > 0 ? UpperTail(lower) - UpperTail(upper) : UpperTail(-upper) - UpperTail(-lower);
            }
        }
        return p;
    }

    // P(Z > z) for a standard normal Z.
    private static double UpperTail(double z) => z switch
    {
        double.PositiveInfinity => 0,
        double.NegativeInfinity => 1,
        _ => 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2)),
    };

    private static void CheckEdges(IReadOnlyList<double> edges)
    {
        ScoreInput.Finite(edges, nameof(edges), "binning");
        if (edges.Count < 1)
        {
            throw new ArgumentException("edges is empty; at least one edge (two bins) is needed.", nameof(edges));
        }
        for (int i = 1; i < edges.Count; i++)
        {
            if (!(edges[i] > edges[i - 1]))
            {
                throw new ArgumentException($"edges[{i}] is {ScoreInput.Invariant(edges[i])}, not above edges[{i - 1}] = {ScoreInput.Invariant(edges[i - 1])}; edges must increase.", nameof(edges));
            }
        }
    }
}
