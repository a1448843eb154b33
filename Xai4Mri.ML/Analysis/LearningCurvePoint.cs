namespace Xai4Mri.ML.Analysis;

/// <summary>A probe's cross-validated score when trained on <paramref name="N"/> subjects.</summary>
public sealed record LearningCurvePoint(int N, string Features, double Mean, double StandardDeviation);
