using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Analysis;

/// <summary>Spearman's ρ and Kendall's τ-b with ties, as SciPy's <c>spearmanr</c> and <c>kendalltau</c> compute them, for validating scores against outcomes.</summary>
/// <remarks>
/// Rank the values as measured: rounding before ranking creates ties that are not there (two skills of 0.5112 and
/// 0.5104 both become 0.51) and changes the result.
/// </remarks>
internal static class RankCorrelation
{
    /// <summary>Permutations a p-value may use: every one of the n! pairings up to n = 8 (40,320), a seeded random sample beyond.</summary>
    public const int DefaultResamples = 100_000;

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

    /// <summary>
    /// One-sided permutation p-value of Spearman's ρ: the share of pairings of <paramref name="a"/> with
    /// <paramref name="b"/> whose ρ is at least the observed one (SciPy's <c>permutation_test</c>, pairings, "greater").
    /// </summary>
    /// <param name="a">Finite values.</param>
    /// <param name="b">As many finite values.</param>
    /// <param name="resamples">Exact over all n! pairings when n! ≤ resamples; else this many seeded random pairings, p = (hits + 1) / (resamples + 1).</param>
    /// <param name="seed">Seed of the random pairings.</param>
    /// <returns>p in (0, 1]: how often an unrelated order would agree at least this well. With 6 scenarios the smallest possible is 1/720.</returns>
    /// <exception cref="ArgumentException">As <see cref="Spearman"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resamples"/> below 1.</exception>
    public static double SpearmanPValue(IReadOnlyList<double> a, IReadOnlyList<double> b, int resamples = DefaultResamples, int seed = 1) =>
        PermutationPValue(a, b, Spearman, resamples, seed);

    /// <summary>One-sided permutation p-value of Kendall's τ-b, as <see cref="SpearmanPValue"/>.</summary>
    /// <param name="a">Finite values.</param>
    /// <param name="b">As many finite values.</param>
    /// <param name="resamples">Exact when n! ≤ resamples, else this many seeded random pairings.</param>
    /// <param name="seed">Seed of the random pairings.</param>
    /// <returns>p in (0, 1].</returns>
    /// <exception cref="ArgumentException">As <see cref="Spearman"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resamples"/> below 1.</exception>
    public static double KendallTauBPValue(IReadOnlyList<double> a, IReadOnlyList<double> b, int resamples = DefaultResamples, int seed = 1) =>
        PermutationPValue(a, b, KendallTauB, resamples, seed);

    private static double PermutationPValue(IReadOnlyList<double> a, IReadOnlyList<double> b, Func<IReadOnlyList<double>, IReadOnlyList<double>, double> statistic, int resamples, int seed)
    {
        if (resamples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(resamples), resamples, $"resamples is {resamples}; it must be at least 1.");
        }
        double observed = statistic(a, b);
        // SciPy's tolerance: permutations that tie the observed value up to rounding count as at least as extreme.
        double threshold = observed - Math.Max(1e-14, Math.Abs(1e-14 * observed));
        double[] permuted = [.. a];
        int n = permuted.Length;
        double factorial = Enumerable.Range(1, n).Aggregate(1.0, (f, k) => f * k);
        long hits = 0;
        if (factorial <= resamples)
        {
            // Heap's algorithm: every permutation once, each from the last by one swap.
            var counters = new int[n];
            hits += statistic(permuted, b) >= threshold ? 1 : 0;
            for (int i = 1; i < n;)
            {
                if (counters[i] < i)
                {
                    int j = i % 2 == 0 ? 0 : counters[i];
                    (permuted[j], permuted[i]) = (permuted[i], permuted[j]);
                    hits += statistic(permuted, b) >= threshold ? 1 : 0;
                    counters[i]++;
                    i = 1;
                }
                else
                {
                    counters[i] = 0;
                    i++;
                }
            }
            return hits / factorial;
        }
        var random = new SplitRandom(seed);
        for (int r = 0; r < resamples; r++)
        {
            random.Shuffle(permuted);
            hits += statistic(permuted, b) >= threshold ? 1 : 0;
        }
        return (hits + 1) / (resamples + 1.0);
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
