namespace Xai4Mri.ML.Analysis;

/// <summary>
/// How much a pretrained network's features say about a new target: LogME per feature set and cross-validated probes,
/// compared with the same probes on raw image features.
/// </summary>
/// <param name="LogMe">LogME per feature set (higher: the target is better explained by a linear model on those features).</param>
/// <param name="Probes">Every probe's cross-validated score.</param>
/// <param name="BestPretrained">The best probe on pretrained features.</param>
/// <param name="BestRaw">The best probe on raw image features.</param>
/// <param name="Gain">
/// Relative improvement of <paramref name="BestPretrained"/> over <paramref name="BestRaw"/>: for MAE (raw − pretrained) / raw,
/// for balanced accuracy pretrained − raw. Positive: the pretrained features carry signal the raw voxels do not give a small model.
/// </param>
/// <param name="ChanceLevel">The score of predicting without features: MAE of the training mean, or 1/k balanced accuracy for k classes.</param>
public sealed record TransferabilityReport(
    IReadOnlyDictionary<string, double> LogMe,
    IReadOnlyList<ProbeScore> Probes,
    ProbeScore BestPretrained,
    ProbeScore BestRaw,
    double Gain,
    double ChanceLevel)
{
    /// <summary>
    /// The H-score with Ledoit–Wolf shrinkage per feature set (Bao et al. 2019; Ibrahim et al. 2022): between-class
    /// covariance in units of the total, from 0 (no separation) to k − 1; for a regression label, of the label cut
    /// into <see cref="HScoreBins"/> equal-count bins. Absent for a feature set whose columns are all constant, and for
    /// a label too tied to bin. Not chance-corrected: its no-signal level rises with features per subject, so compare
    /// it between feature sets of similar size. Not used by the recommendation.
    /// </summary>
    public IReadOnlyDictionary<string, double> HScore { get; init; } = new Dictionary<string, double>();

    /// <summary>The equal-count bins of a regression label behind <see cref="HScore"/>; 0 for classes (their own labels).</summary>
    public int HScoreBins { get; init; }
}
