namespace Xai4Mri.ML.Analysis;

/// <summary>Two-dimensional coordinates of the subjects' feature vectors (e.g. their first two principal components), with their labels.</summary>
/// <param name="Method">How the coordinates were made, e.g. <c>"PCA"</c>.</param>
/// <param name="X">The first coordinate of each subject.</param>
/// <param name="Y">The second coordinate of each subject, in the same order.</param>
/// <param name="Labels">Each subject's regression target, or its class index into <paramref name="ClassNames"/>.</param>
/// <param name="ClassNames">The class names when the labels are classes; null for a regression target.</param>
/// <param name="ExplainedVarianceRatio">The fraction of the total variance each of the two coordinates explains.</param>
public sealed record FeatureEmbedding(string Method, double[] X, double[] Y, float[] Labels, IReadOnlyList<string>? ClassNames, double[] ExplainedVarianceRatio);
