namespace Xai4Mri.ML.Analysis;

/// <summary>The density of the non-zero voxel intensities of one group of images (e.g. one site), on bins shared by all groups.</summary>
/// <param name="Group">The group's name, e.g. the site.</param>
/// <param name="BinCentres">The centre of each bin; the same for every group of one report, equally spaced.</param>
/// <param name="Density">
/// Per bin: the fraction of the group's counted voxels in it divided by the bin width, so the histogram integrates to 1
/// (all zeros for a group with no counted voxels).
/// </param>
public sealed record IntensityHistogram(string Group, double[] BinCentres, double[] Density);
