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
    double ChanceLevel);
