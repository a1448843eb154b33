using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>Resamples volumes to a target voxel size by trilinear interpolation on the volume's own axes.</summary>
/// <remarks>
/// The new grid covers the same field of view: its shape is the old extent divided by the new voxel size (rounded),
/// and the centre of the volume stays at the same world position. Rotations in the affine are kept, so no
/// re-slicing across axes happens; voxels outside the old grid are background (0).
/// </remarks>
public static class Resampling
{
    /// <summary>Returns the volume resampled to <paramref name="voxelSize"/> mm (one value for isotropic, or three).</summary>
    public static Volume ToVoxelSize(Volume volume, IReadOnlyList<double> voxelSize)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var plan = Plan(GridGeometry.Of(volume), voxelSize);
        if (plan.IsIdentity)
        {
            return volume;
        }
        double[] factor = plan.Factor, offset = plan.Offset;
        int[] shape = plan.Output.Shape;
        var dst = new float[(long)shape[0] * shape[1] * shape[2]];
        int[] n = volume.Shape;
        float[] src = volume.Data;
        Parallel.For(0, shape[0], i =>
        {
            var (i0, fi) = Split(offset[0] + (factor[0] * i));
            for (int j = 0; j < shape[1]; j++)
            {
                var (j0, fj) = Split(offset[1] + (factor[1] * j));
                int d = ((i * shape[1]) + j) * shape[2];
                for (int k = 0; k < shape[2]; k++)
                {
                    var (k0, fk) = Split(offset[2] + (factor[2] * k));
                    double v = 0;
                    for (int di = 0; di < 2; di++)
                    {
                        int ii = i0 + di;
                        double wi = di == 0 ? 1 - fi : fi;
                        if (wi == 0 || ii < 0 || ii >= n[0])
                        {
                            continue;
                        }
                        for (int dj = 0; dj < 2; dj++)
                        {
                            int jj = j0 + dj;
                            double wj = dj == 0 ? 1 - fj : fj;
                            if (wj == 0 || jj < 0 || jj >= n[1])
                            {
                                continue;
                            }
                            int row = ((ii * n[1]) + jj) * n[2];
                            for (int dk = 0; dk < 2; dk++)
                            {
                                int kk = k0 + dk;
                                double wk = dk == 0 ? 1 - fk : fk;
                                if (wk == 0 || kk < 0 || kk >= n[2])
                                {
                                    continue;
                                }
                                v += wi * wj * wk * src[row + kk];
                            }
                        }
                    }
                    dst[d + k] = (float)v;
                }
            }
        });
        return new Volume(dst, shape, plan.Output.Affine);
    }

    /// <summary>How a grid is resampled: old continuous index = offset + factor · new index, and the new grid.</summary>
    internal sealed record ResamplePlan(double[] Factor, double[] Offset, GridGeometry Output, bool IsIdentity);

    /// <summary>The resampling of a grid to <paramref name="voxelSize"/> mm, without its voxels.</summary>
    /// <exception cref="ArgumentException">The voxel size is not one or three positive, finite values.</exception>
    internal static ResamplePlan Plan(GridGeometry grid, IReadOnlyList<double> voxelSize)
    {
        ArgumentNullException.ThrowIfNull(voxelSize);
        double[] target = voxelSize.Count switch
        {
            1 => [voxelSize[0], voxelSize[0], voxelSize[0]],
            3 => [.. voxelSize],
            _ => throw new ArgumentException("voxel size needs one or three values", nameof(voxelSize)),
        };
        if (target.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new ArgumentException($"voxel sizes must be positive, got {string.Join(", ", target)}", nameof(voxelSize));
        }
        double[] current = grid.Affine.ColumnNorms();
        var factor = new double[3];
        var shape = new int[3];
        bool same = true;
        for (int a = 0; a < 3; a++)
        {
            factor[a] = target[a] / current[a];
            shape[a] = Math.Max(1, (int)Math.Round(grid.Shape[a] / factor[a]));
            same &= Math.Abs(factor[a] - 1) < 1e-6;
        }
        if (same)
        {
            return new ResamplePlan(factor, [0, 0, 0], grid, true);
        }
        // Old continuous index x = offset + factor · new index, with the volume centres aligned.
        var offset = new double[3];
        for (int a = 0; a < 3; a++)
        {
            offset[a] = ((grid.Shape[a] - 1) / 2.0) - (factor[a] * (shape[a] - 1) / 2.0);
        }
        var m = new double[16];
        for (int a = 0; a < 3; a++)
        {
            m[(a * 4) + a] = factor[a];
            m[(a * 4) + 3] = offset[a];
        }
        m[15] = 1;
        return new ResamplePlan(factor, offset, new GridGeometry(shape, grid.Affine.Multiply(new Affine(m))), false);
    }

    /// <summary>
    /// Samples <paramref name="source"/> on another grid (shape and affine) through world coordinates, trilinearly;
    /// points outside the source are <paramref name="fill"/>. Where the grids' voxel centres coincide (a pure
    /// reorientation) the values are copied exactly.
    /// </summary>
    public static Volume OntoGrid(Volume source, int[] shape, Affine affine, float fill = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(affine);
        // target voxel → source voxel, as one affine.
        Affine map = source.Affine.Inverse().Multiply(affine);
        var dst = new float[(long)shape[0] * shape[1] * shape[2]];
        int[] n = source.Shape;
        float[] src = source.Data;
        Parallel.For(0, shape[0], i =>
        {
            for (int j = 0; j < shape[1]; j++)
            {
                int d = ((i * shape[1]) + j) * shape[2];
                for (int k = 0; k < shape[2]; k++)
                {
                    var (x, y, z) = map.Apply(i, j, k);
                    dst[d + k] = Sample(src, n, Snap(x), Snap(y), Snap(z), fill);
                }
            }
        });
        return new Volume(dst, [.. shape], affine);
    }

    // Rounding in the composed affine leaves coordinates like 3.0000000001; treat them as the voxel they are.
    private static double Snap(double x)
    {
        double r = Math.Round(x);
        return Math.Abs(x - r) < 1e-6 ? r : x;
    }

    private static float Sample(float[] src, int[] n, double x, double y, double z, float fill)
    {
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > n[0] - 0.5 || y > n[1] - 0.5 || z > n[2] - 0.5 || double.IsNaN(x + y + z))
        {
            return fill;
        }
        x = Math.Clamp(x, 0, n[0] - 1);
        y = Math.Clamp(y, 0, n[1] - 1);
        z = Math.Clamp(z, 0, n[2] - 1);
        var (i0, fi) = Split(x);
        var (j0, fj) = Split(y);
        var (k0, fk) = Split(z);
        double v = 0;
        for (int di = 0; di < 2; di++)
        {
            double wi = di == 0 ? 1 - fi : fi;
            if (wi == 0)
            {
                continue;
            }
            for (int dj = 0; dj < 2; dj++)
            {
                double wj = dj == 0 ? 1 - fj : fj;
                if (wj == 0)
                {
                    continue;
                }
                for (int dk = 0; dk < 2; dk++)
                {
                    double wk = dk == 0 ? 1 - fk : fk;
                    if (wk == 0)
                    {
                        continue;
                    }
                    v += wi * wj * wk * src[((((i0 + di) * n[1]) + j0 + dj) * n[2]) + k0 + dk];
                }
            }
        }
        return (float)v;
    }

    private static (int Floor, double Fraction) Split(double x)
    {
        double f = Math.Floor(x);
        return ((int)f, x - f);
    }
}
