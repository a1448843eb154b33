namespace Xai4Mri.ML.Analysis;

/// <summary>A cross-validated probe: a simple model trained on fixed features, scored on held-out folds.</summary>
/// <param name="Features">Which features: "penultimate layer", "earlier layer (channel means)", "raw image (block means)".</param>
/// <param name="Model">"ridge" or "FastTree".</param>
/// <param name="Metric">"MAE" (regression; lower is better) or "balanced accuracy" (classes: the mean recall over classes, 1/k at chance; higher is better).</param>
/// <param name="Mean">Mean of the metric over the folds.</param>
/// <param name="StandardDeviation">Its standard deviation over the folds.</param>
/// <param name="FeatureCount">Features per sample.</param>
public sealed record ProbeScore(string Features, string Model, string Metric, double Mean, double StandardDeviation, int FeatureCount);
