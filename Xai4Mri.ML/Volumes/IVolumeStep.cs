namespace Xai4Mri.ML.Volumes;

/// <summary>
/// One step of preparing a volume for a network (reorient, resample, …), with its inverse for maps: a map computed
/// on the step's output grid (a prediction, a relevance map) is placed back on the step's input grid, so that the
/// steps' inverses in reverse order take a map back to the file's own voxels.
/// </summary>
internal interface IVolumeStep
{
    /// <summary>The step and its settings as canonical text; the cached steps' keys are part of the cache key.</summary>
    string Key { get; }

    /// <summary>What the step does, for messages ("reorient to LIA").</summary>
    string Description { get; }

    /// <summary>The grid the step makes of <paramref name="input"/> (computed without voxels).</summary>
    /// <exception cref="ArgumentException">The step cannot apply to that grid (e.g. an affine without orientation).</exception>
    GridGeometry Output(GridGeometry input);

    /// <summary>The step applied to a volume.</summary>
    Volume Apply(Volume input);

    /// <summary>A map on this step's output grid, placed on <paramref name="input"/> (the grid the step was applied to).</summary>
    /// <param name="map">Values on the output grid of this step for <paramref name="input"/>.</param>
    /// <param name="input">The step's input grid.</param>
    /// <param name="fill">Value of input voxels the map does not reach.</param>
    Volume Invert(Volume map, GridGeometry input, float fill);
}
