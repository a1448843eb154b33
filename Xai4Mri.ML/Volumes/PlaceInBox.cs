using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// Places a prepared volume in the network's input box: the brain's bounding box centred in it (xai4mri's pruning,
/// cut symmetrically where the brain is larger), or without pruning the whole grid, which must then have the box's
/// shape. Its inverse places a map of the box back into the grid (xai4mri's reverse pruning).
/// </summary>
/// <param name="Target">The box (D, H, W).</param>
/// <param name="PruneToBrain">Crop to the brain and centre it (true), or take the whole grid (false).</param>
/// <param name="Background">The value outside the brain.</param>
internal sealed record PlaceInBox(int[] Target, bool PruneToBrain, float Background)
{
    /// <summary>Writes the placed volume into <paramref name="destination"/> (length D·H·W of the box); returns where it came from.</summary>
    /// <exception cref="ImageFormatException">Without pruning, the grid does not have the box's shape.</exception>
    public PruneRecord Apply(PreparedVolume prepared, Span<float> destination, string path)
    {
        if (!PruneToBrain)
        {
            CheckGrid(prepared, path);
            prepared.ToGridVolume(Background).Data.AsSpan().CopyTo(destination);
            return Whole(prepared);
        }
        var box = new Volume(prepared.BoxData, prepared.BoxShape, Affine.Identity);
        var (pruned, local) = BrainBox.Prune(box, Target, Background);
        pruned.Data.AsSpan().CopyTo(destination);
        return InGrid(prepared, local);
    }

    /// <summary>Where <see cref="Apply"/> puts <paramref name="prepared"/>, without copying voxels.</summary>
    /// <exception cref="ImageFormatException">Without pruning, the grid does not have the box's shape.</exception>
    public PruneRecord Placement(PreparedVolume prepared, string path)
    {
        if (!PruneToBrain)
        {
            CheckGrid(prepared, path);
            return Whole(prepared);
        }
        var (_, local) = BrainBox.Prune(new Volume(prepared.BoxData, prepared.BoxShape, Affine.Identity), Target, Background);
        return InGrid(prepared, local);
    }

    /// <summary>A map of the box placed back into the prepared volume's grid; voxels outside it are <paramref name="fill"/>.</summary>
    public Volume Invert(ReadOnlySpan<float> map, PreparedVolume prepared, PruneRecord placement, float fill) =>
        new(BrainBox.Unprune(map, placement, fill), [.. prepared.GridShape], prepared.GridAffine);

    private void CheckGrid(PreparedVolume prepared, string path)
    {
        if (!prepared.GridShape.SequenceEqual(Target))
        {
            throw new ImageFormatException(path, $"grid {string.Join('x', prepared.GridShape)} after reorientation differs from the loader's shape {string.Join('x', Target)}; enable pruning or resample to a common voxel size");
        }
    }

    private static PruneRecord Whole(PreparedVolume prepared) =>
        new([.. prepared.GridShape], [0, 0, 0], [0, 0, 0], [.. prepared.GridShape], [.. prepared.GridShape], false);

    private static PruneRecord InGrid(PreparedVolume prepared, PruneRecord local) => local with
    {
        SourceShape = [.. prepared.GridShape],
        SourceStart = [local.SourceStart[0] + prepared.BoxStart[0], local.SourceStart[1] + prepared.BoxStart[1], local.SourceStart[2] + prepared.BoxStart[2]],
    };
}
