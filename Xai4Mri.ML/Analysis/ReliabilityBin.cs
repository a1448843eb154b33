namespace Xai4Mri.ML.Analysis;

/// <summary>One row of a reliability table: the calls whose stated confidence fell in [Lower, Upper), and how many of them were right.</summary>
/// <param name="Lower">Lower end of the confidence bin (inclusive).</param>
/// <param name="Upper">Upper end (exclusive, except for the last bin, which includes 1).</param>
/// <param name="Count">Calls in the bin.</param>
/// <param name="MeanConfidence">Their mean stated confidence; NaN for an empty bin.</param>
/// <param name="FractionRight">The share of them that were right; NaN for an empty bin. Calibrated: close to <paramref name="MeanConfidence"/>.</param>
internal sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double FractionRight);
