namespace Xai4Mri.ML.Analysis;

/// <summary>Spearman's ρ and Kendall's τ-b with ties, as SciPy's <c>spearmanr</c> and <c>kendalltau</c> compute them, for validating scores against outcomes.</summary>
/// <remarks>
/// Rank the values as measured: rounding before ranking creates ties that are not there (two skills of 0.5112 and
/// 0.5104 both become 0.51) and changes the result.
/// </remarks>
internal static class RankCorrelation
{
    /// <summary>Ranks 1 .. n, tied values sharing the mean of the ranks they span (SciPy's <c>rankdata</c>, method "average").</summary>
    /// <param name="values">Finite values.</param>
    /// <returns>One rank per value.</returns>
    /// <exception cref="ArgumentException">NaN or infinity.</exception>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ScoreInput.Finite(values, nameof(values), "ranking");
        int[] order = [.. Enumerable.Range(0, values.Count).OrderBy(i => values[i])];
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }
            for (int k = start; k <= end; k++)
            {
                ranks[order[k]] = ((start + end) / 2.0) + 1;
            }
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Spearman's ρ: the Pearson correlation of the average ranks.</summary>
    /// <param name="a">Finite values.</param>
    /// <param name="b">As many finite values.</param>
    /// <returns>ρ in [−1, 1].</returns>
    /// <exception cref="ArgumentException">Length mismatch, fewer than 2 pairs, NaN or infinity, or a side whose values are all equal (ρ undefined).</exception>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        Check(a, b);
        double[] ra = AverageRanks(a), rb = AverageRanks(b);
        double ma = ra.Average(), mb = rb.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>
    /// Kendall's τ-b: (concordant − discordant) / √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n − 1)/2 pairs, n₁ and n₂ the pairs tied
    /// in a and in b; a pair tied on one side is neither concordant nor discordant.
    /// </summary>
    /// <param name="a">Finite values.</param>
    /// <param name="b">As many finite values.</param>
    /// <returns>τ-b in [−1, 1].</returns>
    /// <exception cref="ArgumentException">As <see cref="Spearman"/>.</exception>
    public static double KendallTauB(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        Check(a, b);
        long concordant = 0, discordant = 0, tiedA = 0, tiedB = 0, pairs = 0;
        for (int i = 0; i < a.Count; i++)
        {
            for (int j = i + 1; j < a.Count; j++)
            {
                pairs++;
                int da = a[i].CompareTo(a[j]), db = b[i].CompareTo(b[j]);
                if (da == 0)
                {
                    tiedA++;
                }
                if (db == 0)
                {
                    tiedB++;
                }
                if (da != 0 && db != 0)
                {
                    if (da == db)
                    {
                        concordant++;
                    }
                    else
                    {
                        discordant++;
                    }
                }
            }
        }
        return (concordant - discordant) / Math.Sqrt((double)(pairs - tiedA) * (pairs - tiedB));
    }

    private static void Check(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"a has {a.Count} values but b has {b.Count}; they must match.", nameof(b));
        }
        if (a.Count < 2)
        {
            throw new ArgumentException($"a rank correlation needs at least 2 pairs; got {a.Count}.", nameof(a));
        }
        ScoreInput.Finite(a, nameof(a), "a rank correlation");
        ScoreInput.Finite(b, nameof(b), "a rank correlation");
        foreach (var (values, name) in new[] { (a, nameof(a)), (b, nameof(b)) })
        {
            if (values.All(v => v == values[0]))
            {
                throw new ArgumentException($"{name} has all values equal ({ScoreInput.Invariant(values[0])}); a rank correlation is undefined.", name);
            }
        }
    }
}
