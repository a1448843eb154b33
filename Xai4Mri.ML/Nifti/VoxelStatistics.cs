namespace Xai4Mri.ML.Nifti;

/// <summary>Summary statistics of scaled voxel values computed in float64, NaNs excluded (as NumPy's nan* functions).</summary>
/// <param name="Count">Voxels that are not NaN.</param>
/// <param name="NanCount">Voxels that are NaN.</param>
/// <param name="Min">Smallest value (NaN when every voxel is NaN or there are none).</param>
/// <param name="Max">Largest value (NaN when every voxel is NaN or there are none).</param>
/// <param name="Sum">Sum of the values.</param>
/// <param name="Mean">Sum divided by <paramref name="Count"/> (NaN when it is 0).</param>
public sealed record VoxelStatistics(long Count, long NanCount, double Min, double Max, double Sum, double Mean);
