using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Data;

/// <summary>The cheap second half of loading: prune a prepared volume to the target box and scale its intensities.</summary>
public static class VolumeConformer
{
    /// <summary>Where <see cref="Conform"/> puts a prepared volume in the output box (found by conforming without intensity scaling).</summary>
    public static PruneRecord Placement(PreparedVolume prepared, NiftiLoaderParameters p) =>
        Conform(prepared, p with { Normalization = IntensityNormalization.None }, new float[p.OutputLength], "");

    /// <summary>Conforms <paramref name="prepared"/> into <paramref name="destination"/> (length D·H·W); returns how it was placed.</summary>
    /// <exception cref="NiftiFormatException">Without pruning, the file's grid does not have the target shape.</exception>
    public static PruneRecord Conform(PreparedVolume prepared, NiftiLoaderParameters p, Span<float> destination, string path)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(p);
        PruneRecord record;
        float[] data;
        if (p.Prune == PruneMode.None)
        {
            if (!prepared.GridShape.SequenceEqual(p.TargetShape))
            {
                throw new NiftiFormatException(path, $"grid {string.Join('x', prepared.GridShape)} after reorientation differs from the loader's shape {string.Join('x', p.TargetShape)}; enable pruning or resample to a common voxel size");
            }
            data = prepared.ToGridVolume(p.BackgroundValue).Data;
            record = new PruneRecord([.. prepared.GridShape], [0, 0, 0], [0, 0, 0], [.. prepared.GridShape], [.. prepared.GridShape], false);
        }
        else
        {
            var box = new Volume(prepared.BoxData, prepared.BoxShape, Affine.Identity);
            var (pruned, local) = BrainBox.Prune(box, p.TargetShape, p.BackgroundValue);
            data = pruned.Data;
            record = local with
            {
                SourceShape = [.. prepared.GridShape],
                SourceStart = [local.SourceStart[0] + prepared.BoxStart[0], local.SourceStart[1] + prepared.BoxStart[1], local.SourceStart[2] + prepared.BoxStart[2]],
            };
        }
        switch (p.Normalization)
        {
            case IntensityNormalization.PerImage:
                if (IntensityScaling.ClipRange(prepared.BoxData, p.ClipPercentile, p.BackgroundValue) is { } range)
                {
                    IntensityScaling.ClipAndScale(data, range.Min, range.Max, p.RoundToUInt8);
                }
                break;
            case IntensityNormalization.Dataset:
                IntensityScaling.ClipAndScale(data, p.ClipMin, p.ClipMax, p.RoundToUInt8);
                break;
        }
        data.AsSpan().CopyTo(destination);
        return record;
    }
}
