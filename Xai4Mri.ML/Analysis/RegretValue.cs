namespace Xai4Mri.ML.Analysis;

/// <summary>How much worse the recommended strategy did than the best in hindsight.</summary>
/// <param name="Raw">The shortfall in the metric's units (MAE in years, balanced accuracy), ≥ 0; 0 when the recommendation was the best.</param>
/// <param name="Fraction">
/// <see cref="Raw"/> as a share of the gap between chance and the best: 0 the best, 1 no better than chance, above 1
/// worse than chance. NaN when the best is no better than chance (there is no gap to measure against).
/// </param>
/// <param name="Skill">
/// <see cref="Raw"/> in skill units (0 at chance, 1 perfect; docs/analysis.md#recommendation): Raw / chance for an
/// error whose perfect value is 0 (MAE), Raw / (1 − chance) for balanced accuracy, whose perfect value is 1; the
/// difference of the two strategies' skills. NaN when chance is already perfect.
/// </param>
internal sealed record RegretValue(double Raw, double Fraction, double Skill);
