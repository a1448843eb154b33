namespace Xai4Mri.ML.Analysis;

/// <summary>A probe's cross-validated score when trained on the features of N subjects.</summary>
/// <param name="N">How many subjects the probe was cross-validated on.</param>
/// <param name="Features">Which features, as in <see cref="ProbeScore.Features"/>; one curve per value.</param>
/// <param name="Mean">Mean of the metric over the folds.</param>
/// <param name="StandardDeviation">Its standard deviation over the folds.</param>
public sealed record LearningCurvePoint(int N, string Features, double Mean, double StandardDeviation);
