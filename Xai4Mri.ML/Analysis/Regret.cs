namespace Xai4Mri.ML.Analysis;

/// <summary>Regret of a recommendation: the recommended strategy's actual score against the best strategy in hindsight and against chance.</summary>
internal static class Regret
{
    /// <summary>"Right" in docs/analysis-validation.md: the recommendation scored within 10 % of the best.</summary>
    public const double DefaultTolerance = 0.1;

    /// <summary>The regret of a recommended score.</summary>
    /// <param name="recommended">The actual score of the recommended strategy ("too little signal", which advises not to train, scores chance).</param>
    /// <param name="best">The best actual score among the strategies compared, the recommended one included.</param>
    /// <param name="chance">The score without features (the training mean's MAE, 1/k balanced accuracy).</param>
    /// <param name="lowerIsBetter">True for errors such as MAE, false for balanced accuracy.</param>
    /// <returns>The shortfall in raw units, as a share of the chance-to-best gap, and in skill units.</returns>
    /// <exception cref="ArgumentException">A value not finite, or <paramref name="recommended"/> better than <paramref name="best"/> (then best was not the best).</exception>
    public static RegretValue Of(double recommended, double best, double chance, bool lowerIsBetter)
    {
        ScoreInput.Finite([recommended, best, chance], "scores (recommended, best, chance)", "regret");
        double raw = lowerIsBetter ? recommended - best : best - recommended;
        if (raw < 0)
        {
            throw new ArgumentException($"recommended {ScoreInput.Invariant(recommended)} beats best {ScoreInput.Invariant(best)}; best must be the best of a set that includes the recommended strategy.", nameof(best));
        }
        double gap = lowerIsBetter ? chance - best : best - chance;
        // Skill is 1 − score/chance for an error and (score − chance)/(1 − chance) for an accuracy (Recommender.Skill).
        double skillScale = lowerIsBetter ? chance : 1 - chance;
        return new RegretValue(raw, gap > 0 ? raw / gap : double.NaN, skillScale > 0 ? raw / skillScale : double.NaN);
    }

    /// <summary>
    /// Whether <paramref name="recommended"/> is within <paramref name="tolerance"/> of <paramref name="best"/>:
    /// recommended ≤ (1 + tolerance) best when lower is better, recommended ≥ (1 − tolerance) best otherwise.
    /// </summary>
    /// <param name="recommended">The recommended strategy's actual score.</param>
    /// <param name="best">The best actual score.</param>
    /// <param name="lowerIsBetter">True for errors such as MAE.</param>
    /// <param name="tolerance">Relative tolerance, in [0, 1).</param>
    /// <returns>True when the recommendation counts as right.</returns>
    /// <exception cref="ArgumentException">A score not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> outside [0, 1).</exception>
    public static bool IsWithin(double recommended, double best, bool lowerIsBetter, double tolerance = DefaultTolerance)
    {
        ScoreInput.Finite([recommended, best], "scores (recommended, best)", "the within-tolerance test");
        if (!(tolerance >= 0 && tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"tolerance is {ScoreInput.Invariant(tolerance)}; it must lie in [0, 1).");
        }
        return lowerIsBetter ? recommended <= (1 + tolerance) * best : recommended >= (1 - tolerance) * best;
    }
}
