using MathNet.Numerics.Distributions;

namespace Xai4Mri.Bench;

/// <summary>
/// The summary statistics of the held-out validation, each a small function on plain arrays so that the library's
/// versions (issue 17's rank, regret and calibration statistics in Xai4Mri.ML/Analysis) can replace them one by one.
/// </summary>
internal static class HeldOutStatistics
{
    /// <summary>Spearman's ρ (ties get their mean rank).</summary>
    public static double Spearman(double[] a, double[] b) => AnalysisValidation.Spearman(a, b);

    /// <summary>Kendall's τ-b: (concordant − discordant) / √((n0 − ties in a)(n0 − ties in b)) over all pairs.</summary>
    public static double KendallTauB(double[] a, double[] b)
    {
        long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0, pairs = 0;
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = i + 1; j < a.Length; j++)
            {
                pairs++;
                int da = Math.Sign(a[i] - a[j]), db = Math.Sign(b[i] - b[j]);
                tiesA += da == 0 ? 1 : 0;
                tiesB += db == 0 ? 1 : 0;
                if (da * db > 0)
                {
                    concordant++;
                }
                else if (da * db < 0)
                {
                    discordant++;
                }
            }
        }
        return (concordant - discordant) / Math.Sqrt((double)(pairs - tiesA) * (pairs - tiesB));
    }

    /// <summary>
    /// Regret of one recommendation in skill units: the best actual skill among the strategies and not training
    /// (skill 0), less the actual skill of what was recommended (0 for "too little signal").
    /// </summary>
    public static double Regret(IEnumerable<double> strategySkills, double recommendedSkill) => Math.Max(0, strategySkills.DefaultIfEmpty(0).Max()) - recommendedSkill;

    /// <summary>
    /// Whether the actual outcomes show signal, by the same test the frozen rule applies to probes: the best
    /// strategy's skill above max(0.1, 1.645 standard errors of its fold mean).
    /// </summary>
    public static bool ActualSignal(double bestSkill, IReadOnlyList<double> bestFoldSkills)
    {
        double mean = bestFoldSkills.Average();
        double sd = bestFoldSkills.Count < 2 ? 0 : Math.Sqrt(bestFoldSkills.Sum(s => (s - mean) * (s - mean)) / (bestFoldSkills.Count - 1));
        return bestSkill > Math.Max(0.1, 1.645 * sd / Math.Sqrt(bestFoldSkills.Count));
    }

    /// <summary>The share of <paramref name="calls"/> that are right (NaN when there are none).</summary>
    public static double RightRate(IReadOnlyList<(bool Called, bool Right)> calls) =>
        calls.Count(c => c.Called) == 0 ? double.NaN : calls.Where(c => c.Called).Count(c => c.Right) / (double)calls.Count(c => c.Called);

    /// <summary>One row of the calibration table: stated confidence against how often the call was right.</summary>
    internal sealed record CalibrationBin(string Name, int Count, double MeanConfidence, double RightShare);

    /// <summary>
    /// Calibration of the stated confidence of the signal / no-signal call, by the recommender's levels (low &lt; 0.7 ≤
    /// medium &lt; 0.9 ≤ high), and the Brier score (mean squared difference of confidence and 0/1 rightness).
    /// </summary>
    public static (IReadOnlyList<CalibrationBin> Bins, double Brier) Calibration(IReadOnlyList<(double Confidence, bool Right)> calls)
    {
        var bins = new[] { ("low (< 0.7)", 0.0, 0.7), ("medium (0.7–0.9)", 0.7, 0.9), ("high (≥ 0.9)", 0.9, 1.01) }
            .Select(b => (b.Item1, Calls: calls.Where(c => c.Confidence >= b.Item2 && c.Confidence < b.Item3).ToList()))
            .Select(b => new CalibrationBin(b.Item1, b.Calls.Count, b.Calls.Count == 0 ? double.NaN : b.Calls.Average(c => c.Confidence), b.Calls.Count == 0 ? double.NaN : b.Calls.Average(c => c.Right ? 1.0 : 0.0)))
            .ToList();
        double brier = calls.Count == 0 ? double.NaN : calls.Average(c => Math.Pow(c.Confidence - (c.Right ? 1 : 0), 2));
        return (bins, brier);
    }

    /// <summary>Two-sided p-value of Kendall's τ under no association (normal approximation, no tie correction).</summary>
    public static double KendallP(double tau, int n) => n < 3 ? double.NaN : 2 * (1 - Normal.CDF(0, 1, Math.Abs(tau) / Math.Sqrt(2.0 * ((2 * n) + 5) / (9.0 * n * (n - 1)))));
}
