using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>Reorients volumes to a reference orientation (e.g. FreeSurfer's "LIA") by axis permutation and flips.</summary>
/// <remarks>
/// Like nibabel's <c>as_reoriented(ornt_transform(io_orientation(affine), axcodes2ornt(codes)))</c>: no
/// interpolation, each voxel moves to its new index, and the affine is updated so that every voxel keeps its world
/// position.
/// </remarks>
public static class Reorientation
{
    /// <summary>Axis codes: which world axis each letter names and its direction (+1 for R/A/S).</summary>
    public static (int WorldAxis, int Direction)[] ParseAxisCodes(string codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Length != 3)
        {
            throw new ArgumentException($"orientation codes need three letters, got '{codes}'", nameof(codes));
        }
        var result = new (int, int)[3];
        var used = new bool[3];
        for (int i = 0; i < 3; i++)
        {
            (int axis, int dir) = char.ToUpperInvariant(codes[i]) switch
            {
                'R' => (0, 1),
                'L' => (0, -1),
                'A' => (1, 1),
                'P' => (1, -1),
                'S' => (2, 1),
                'I' => (2, -1),
                _ => throw new ArgumentException($"'{codes[i]}' in '{codes}' is not one of R, L, A, P, S, I", nameof(codes)),
            };
            if (used[axis])
            {
                throw new ArgumentException($"orientation '{codes}' names the same world axis twice", nameof(codes));
            }
            used[axis] = true;
            result[i] = (axis, dir);
        }
        return result;
    }

    /// <summary>Returns the volume with its voxel axes running along <paramref name="targetCodes"/>.</summary>
    /// <exception cref="ArgumentException">The codes are malformed, or the volume's affine has no definite orientation.</exception>
    public static Volume Reorient(Volume volume, string targetCodes)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var plan = Plan(GridGeometry.Of(volume), targetCodes);
        if (plan.IsIdentity)
        {
            return volume;
        }
        int[] from = plan.From;
        bool[] flip = plan.Flip;
        int[] srcShape = volume.Shape;
        int[] shape = plan.Output.Shape;
        int[] srcStrides = [srcShape[1] * srcShape[2], srcShape[2], 1];
        // Walking the new grid in C order, each new axis advances the source index by ± its source stride.
        var step = new int[3];
        int origin = 0;
        for (int t = 0; t < 3; t++)
        {
            step[t] = flip[t] ? -srcStrides[from[t]] : srcStrides[from[t]];
            if (flip[t])
            {
                origin += (shape[t] - 1) * srcStrides[from[t]];
            }
        }
        float[] src = volume.Data;
        var dst = GC.AllocateUninitializedArray<float>(src.Length);
        Parallel.For(0, shape[0], i =>
        {
            for (int j = 0; j < shape[1]; j++)
            {
                int s = origin + (i * step[0]) + (j * step[1]);
                int d = ((i * shape[1]) + j) * shape[2];
                for (int k = 0; k < shape[2]; k++, s += step[2])
                {
                    dst[d + k] = src[s];
                }
            }
        });
        return new Volume(dst, shape, plan.Output.Affine);
    }

    /// <summary>How a grid is reoriented: which source axis each new axis takes, whether it runs the other way, and the new grid.</summary>
    internal sealed record ReorientPlan(int[] From, bool[] Flip, GridGeometry Output)
    {
        /// <summary>The grid already runs along the target axes.</summary>
        public bool IsIdentity => From.SequenceEqual([0, 1, 2]) && !Flip.Any(f => f);
    }

    /// <summary>The reorientation of a grid to <paramref name="targetCodes"/>, without its voxels.</summary>
    /// <exception cref="ArgumentException">The codes are malformed, or the affine has no definite orientation.</exception>
    internal static ReorientPlan Plan(GridGeometry grid, string targetCodes)
    {
        var target = ParseAxisCodes(targetCodes);
        var source = Orientation.IoOrientation(grid.Affine);
        if (source.Any(s => s.WorldAxis < 0))
        {
            throw new ArgumentException($"the affine has no definite orientation (axis codes '{Orientation.AxisCodes(grid.Affine)}'):\n{grid.Affine}");
        }
        // For each new axis t: the source axis along the same world axis, and whether it runs the other way.
        var from = new int[3];
        var flip = new bool[3];
        for (int t = 0; t < 3; t++)
        {
            from[t] = Array.FindIndex(source, s => s.WorldAxis == target[t].WorldAxis);
            flip[t] = source[from[t]].Direction != target[t].Direction;
        }
        if (from.SequenceEqual([0, 1, 2]) && !flip.Any(f => f))
        {
            return new ReorientPlan(from, flip, grid);
        }
        int[] srcShape = grid.Shape;
        int[] shape = [srcShape[from[0]], srcShape[from[1]], srcShape[from[2]]];
        // New voxel index n maps to old index: old[from[t]] = flip ? shape[t]-1-n[t] : n[t].
        var m = new double[16];
        for (int t = 0; t < 3; t++)
        {
            m[(from[t] * 4) + t] = flip[t] ? -1 : 1;
            m[(from[t] * 4) + 3] = flip[t] ? shape[t] - 1 : 0;
        }
        m[15] = 1;
        return new ReorientPlan(from, flip, new GridGeometry(shape, grid.Affine.Multiply(new Affine(m))));
    }
}
