namespace Xai4Mri.ML.Analysis;

/// <summary>Distribution of a numeric (Single) label column: moments, quantiles and Tukey outliers.</summary>
/// <remarks>
/// Statistics run over the rows whose label is not NaN. Quantiles use linear interpolation between order statistics
/// (NumPy's default). Values that need more rows than there are (standard deviation: 2, skewness: 3) are NaN.
/// </remarks>
/// <param name="ColumnName">The label column.</param>
/// <param name="Count">Rows with a label.</param>
/// <param name="MissingCount">Rows whose label is NaN.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (divisor n − 1).</param>
/// <param name="Min">Smallest label.</param>
/// <param name="Max">Largest label.</param>
/// <param name="Median">The 50th percentile.</param>
/// <param name="Skewness">
/// Adjusted Fisher–Pearson sample skewness G1 = √(n(n−1)) / (n−2) · m3 / m2^{3/2}, where mk = Σ(x − mean)^k / n
/// (pandas' <c>Series.skew()</c>, Excel's SKEW); 0 for a symmetric sample, positive for a long right tail.
/// </param>
/// <param name="LowerFence">Tukey's lower fence Q1 − 1.5·IQR.</param>
/// <param name="UpperFence">Tukey's upper fence Q3 + 1.5·IQR.</param>
/// <param name="Outliers">Rows whose label is below the lower or above the upper fence, in table order.</param>
public sealed record RegressionLabelStatistics(
    string ColumnName,
    int Count,
    int MissingCount,
    double Mean,
    double StandardDeviation,
    double Min,
    double Max,
    double Median,
    double Skewness,
    double LowerFence,
    double UpperFence,
    IReadOnlyList<LabelOutlier> Outliers);
