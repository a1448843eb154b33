namespace Xai4Mri.ML.Analysis;

/// <summary>A subject whose regression label lies outside the Tukey fences.</summary>
/// <param name="Subject">The subject id (or "row N" without a subject column).</param>
/// <param name="Value">Its label.</param>
public sealed record LabelOutlier(string Subject, double Value);
