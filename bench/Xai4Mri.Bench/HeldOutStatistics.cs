namespace Xai4Mri.Bench;

/// <summary>
/// The held-out validation's own judgements, beside the library's rank, regret and calibration statistics
/// (Xai4Mri.ML/Analysis): regret with "not training" as skill 0, and whether the outcomes show signal.
/// </summary>
internal static class HeldOutStatistics
{
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
}
