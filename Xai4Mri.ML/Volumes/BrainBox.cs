using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// The brain's bounding box and xai4mri's pruning: crop to the voxels that are not background, centre them in a box
/// of the target size (cut symmetrically where the brain is larger), and the reverse.
/// </summary>
public static class BrainBox
{
    /// <summary>First and last non-background index per axis, or null when every voxel is background.</summary>
    public static (int[] Start, int[] End)? Find(Volume volume, float background = 0)
    {
        ArgumentNullException.ThrowIfNull(volume);
        int[] n = volume.Shape;
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue];
        int[] hi = [-1, -1, -1];
        float[] d = volume.Data;
        for (int i = 0; i < n[0]; i++)
        {
            for (int j = 0; j < n[1]; j++)
            {
                int row = ((i * n[1]) + j) * n[2];
                int first = -1, last = -1;
                for (int k = 0; k < n[2]; k++)
                {
                    if (d[row + k] != background)
                    {
                        first = first < 0 ? k : first;
                        last = k;
                    }
                }
                if (first < 0)
                {
                    continue;
                }
                lo[0] = Math.Min(lo[0], i);
                hi[0] = Math.Max(hi[0], i);
                lo[1] = Math.Min(lo[1], j);
                hi[1] = Math.Max(hi[1], j);
                lo[2] = Math.Min(lo[2], first);
                hi[2] = Math.Max(hi[2], last);
            }
        }
        return hi[0] < 0 ? null : (lo, hi);
    }

    /// <summary>Size of the brain's bounding box per axis (xai4mri's <c>get_brain_axes_length</c>); zeros for an empty volume.</summary>
    public static int[] Extent(Volume volume, float background = 0) =>
        Find(volume, background) is { } box ? [box.End[0] - box.Start[0] + 1, box.End[1] - box.Start[1] + 1, box.End[2] - box.Start[2] + 1] : [0, 0, 0];

    /// <summary>
    /// xai4mri's default target box: the largest brain, (156, 166, 204) voxels at 1 mm in LIA space, divided (floor)
    /// by the voxel size.
    /// </summary>
    public static int[] Xai4MriDefaultShape(IReadOnlyList<double> voxelSize)
    {
        int[] largest = [156, 166, 204];
        var shape = new int[3];
        for (int a = 0; a < 3; a++)
        {
            double v = Math.Round(voxelSize[voxelSize.Count == 1 ? 0 : a], 3);
            shape[a] = (int)Math.Floor(largest[a] / v);
        }
        return shape;
    }

    /// <summary>
    /// Crops to the brain and centres it in a box of <paramref name="targetShape"/> filled with background; where the
    /// brain is larger than the box, it is cut symmetrically (as xai4mri's <c>prune_mri</c>, including its rounding).
    /// </summary>
    public static (Volume Pruned, PruneRecord Record) Prune(Volume volume, int[] targetShape, float background = 0)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (targetShape is not { Length: 3 } || targetShape.Any(t => t <= 0))
        {
            throw new ArgumentException("the target box needs three positive sizes", nameof(targetShape));
        }
        var box = Find(volume, background);
        int[] lo = box?.Start ?? [0, 0, 0];
        int[] size = box is { } b ? [b.End[0] - b.Start[0] + 1, b.End[1] - b.Start[1] + 1, b.End[2] - b.Start[2] + 1] : [0, 0, 0];
        var srcStart = new int[3];
        var dstStart = new int[3];
        var length = new int[3];
        bool cut = false;
        for (int a = 0; a < 3; a++)
        {
            // xai4mri: diff = (big - small) // 2 (floor); a negative diff cuts that many from both ends.
            int diff = (int)Math.Floor((targetShape[a] - size[a]) / 2.0);
            int c = diff < 0 ? -diff : 0;
            int offset = diff > 0 ? diff : 0;
            cut |= c > 0;
            srcStart[a] = lo[a] + c;
            dstStart[a] = offset;
            length[a] = Math.Min(size[a] - (2 * c), targetShape[a] - offset);
        }
        var dst = new float[(long)targetShape[0] * targetShape[1] * targetShape[2]];
        if (background != 0)
        {
            Array.Fill(dst, background);
        }
        Copy(volume.Data, volume.Shape, srcStart, dst, targetShape, dstStart, length);
        // Pruned voxel p sits where source voxel p - dstStart + srcStart did.
        var m = new double[16];
        for (int a = 0; a < 3; a++)
        {
            m[(a * 4) + a] = 1;
            m[(a * 4) + 3] = srcStart[a] - dstStart[a];
        }
        m[15] = 1;
        var record = new PruneRecord([.. volume.Shape], srcStart, dstStart, length, [.. targetShape], cut);
        return (new Volume(dst, [.. targetShape], volume.Affine.Multiply(new Affine(m))), record);
    }

    /// <summary>
    /// Places a map of the pruned shape (e.g. a prediction or relevance map) back into the grid it was pruned from;
    /// voxels outside the box get <paramref name="fill"/>. The affine is the source grid's.
    /// </summary>
    public static float[] Unprune(ReadOnlySpan<float> prunedMap, PruneRecord record, float fill = 0)
    {
        ArgumentNullException.ThrowIfNull(record);
        long expected = (long)record.TargetShape[0] * record.TargetShape[1] * record.TargetShape[2];
        if (prunedMap.Length != expected)
        {
            throw new ArgumentException($"map has {prunedMap.Length} values, the pruned box {string.Join('x', record.TargetShape)} has {expected}", nameof(prunedMap));
        }
        var dst = new float[(long)record.SourceShape[0] * record.SourceShape[1] * record.SourceShape[2]];
        if (fill != 0)
        {
            Array.Fill(dst, fill);
        }
        Copy(prunedMap, record.TargetShape, record.TargetStart, dst, record.SourceShape, record.SourceStart, record.CopiedLength);
        return dst;
    }

    private static void Copy(ReadOnlySpan<float> src, int[] srcShape, int[] srcStart, float[] dst, int[] dstShape, int[] dstStart, int[] length)
    {
        if (length.Any(l => l <= 0))
        {
            return;
        }
        for (int i = 0; i < length[0]; i++)
        {
            for (int j = 0; j < length[1]; j++)
            {
                int s = ((((srcStart[0] + i) * srcShape[1]) + srcStart[1] + j) * srcShape[2]) + srcStart[2];
                int d = ((((dstStart[0] + i) * dstShape[1]) + dstStart[1] + j) * dstShape[2]) + dstStart[2];
                src.Slice(s, length[2]).CopyTo(dst.AsSpan(d, length[2]));
            }
        }
    }
}
