namespace Xai4Mri.ML.Analysis;

/// <summary>Intensities of the voxels that are not background (not exactly 0 after NaN/Inf are set to 0).</summary>
/// <param name="NonZeroCount">Voxels counted.</param>
/// <param name="Min">Smallest value (NaN when there are none).</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Mean value.</param>
/// <param name="Percentile1">1st percentile (linear interpolation, NumPy's default); pooled: the mean of the images' values.</param>
/// <param name="Percentile99">99th percentile; pooled: the mean of the images' values.</param>
public sealed record IntensityStatistics(long NonZeroCount, double Min, double Max, double Mean, double Percentile1, double Percentile99);
