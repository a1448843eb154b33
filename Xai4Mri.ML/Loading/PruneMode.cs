namespace Xai4Mri.ML.Loading;

/// <summary>How <see cref="NiftiLoaderEstimator"/> cuts volumes down to a box around the brain (xai4mri's <c>prune_mode</c>).</summary>
public enum PruneMode
{
    /// <summary>No pruning: the whole reoriented grid (all images must then share one grid shape).</summary>
    None,
    /// <summary>Each axis to its own length (xai4mri "max").</summary>
    Max,
    /// <summary>All axes to the same length, the longest (xai4mri "cube").</summary>
    Cube,
}
