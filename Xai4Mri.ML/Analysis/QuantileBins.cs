namespace Xai4Mri.ML.Analysis;

/// <summary>
/// A continuous label cut into equal-count classes, so that scores defined for classes (H-score, LEEP, NCE) can be
/// applied to a regression target: their class means become a regressogram estimate of E[f | y].
/// </summary>
/// <remarks>
/// The edges are the k/<c>bins</c> quantiles for k = 1 .. bins − 1 (linear interpolation between order statistics,
/// NumPy's default); a value equal to an edge goes to the bin above it, so tied values always share a bin. Bins that
/// ties leave empty are dropped and the rest renumbered 0, 1, …, in order of value.
/// </remarks>
internal static class QuantileBins
{
    /// <summary>The bin of every value.</summary>
    /// <param name="values">Finite values, not all equal.</param>
    /// <param name="bins">Number of bins to aim for, at least 2; ties can leave fewer.</param>
    /// <param name="paramName">The name of <paramref name="values"/> in messages (e.g. "targets").</param>
    /// <returns>One label per value in 0 .. (bins kept) − 1, at least 2 bins kept.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> below 2.</exception>
    /// <exception cref="ArgumentException">NaN or infinity, or values so tied that a single bin is left (all equal, or one value at every edge).</exception>
    public static int[] Assign(IReadOnlyList<double> values, int bins, string paramName = "values")
    {
        ScoreInput.Finite(values, paramName, "quantile binning");
        if (bins < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins is {bins}; binning needs at least 2.");
        }
        int[] labels = Bin(values, bins);
        if (labels.Length == 0 || labels.Max() < 1)
        {
            string why = values.Count < 2 ? "fewer than 2" : values.All(v => v == values[0]) ? "all equal" : "one value at every quantile edge";
            throw new ArgumentException($"{paramName} leave a single bin ({values.Count} value(s), {why}); binning needs values that vary more.", paramName);
        }
        return labels;
    }

    /// <summary>As <see cref="Assign"/>, but false instead of an exception when the values leave a single bin.</summary>
    /// <param name="values">Finite values.</param>
    /// <param name="bins">Number of bins to aim for, at least 2.</param>
    /// <param name="labels">One label per value, or empty when false.</param>
    /// <returns>Whether at least 2 bins were kept.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> below 2.</exception>
    /// <exception cref="ArgumentException">NaN or infinity.</exception>
    public static bool TryAssign(IReadOnlyList<double> values, int bins, out int[] labels)
    {
        ScoreInput.Finite(values, nameof(values), "quantile binning");
        if (bins < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins is {bins}; binning needs at least 2.");
        }
        labels = Bin(values, bins);
        if (labels.Length == 0 || labels.Max() < 1)
        {
            labels = [];
            return false;
        }
        return true;
    }

    private static int[] Bin(IReadOnlyList<double> values, int bins)
    {
        double[] sorted = [.. values.OrderBy(v => v)];
        double[] edges = sorted.Length == 0 ? [] : [.. Enumerable.Range(1, bins - 1).Select(k => Quantile(sorted, k / (double)bins))];
        // The number of edges at or below a value: NumPy's searchsorted(edges, value, side="right").
        int[] raw = [.. values.Select(v => edges.Count(e => e <= v))];
        int[] used = [.. raw.Distinct().Order()];
        return [.. raw.Select(r => Array.BinarySearch(used, r))];
    }

    /// <summary>The <paramref name="q"/> quantile of ascending <paramref name="sorted"/>, interpolating linearly at position q (n − 1).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
