using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// A subject's sampling grid. Images are computed on a canonical RAS grid centred on the world origin and then
/// stored with the requested axis order and directions, so that one scan stored in two orientations holds the
/// same values at the same world positions.
/// </summary>
internal sealed class VoxelGrid
{
    private readonly (int WorldAxis, int Direction)[] _axes;

    public VoxelGrid(double voxelSize, (double X, double Y, double Z) fieldOfView, string orientation)
    {
        VoxelSize = voxelSize;
        Nx = AxisLength(fieldOfView.X, voxelSize);
        Ny = AxisLength(fieldOfView.Y, voxelSize);
        Nz = AxisLength(fieldOfView.Z, voxelSize);
        _axes = ParseOrientation(orientation, "");
        int[] canonical = [Nx, Ny, Nz];
        StoredShape = [canonical[_axes[0].WorldAxis], canonical[_axes[1].WorldAxis], canonical[_axes[2].WorldAxis]];
        Affine = BuildAffine(canonical);
    }

    public double VoxelSize { get; }

    public int Nx { get; }

    public int Ny { get; }

    public int Nz { get; }

    public long[] StoredShape { get; }

    /// <summary>Voxel-to-world transform of the stored array; its axis codes are the requested orientation.</summary>
    public Affine Affine { get; }

    public int VoxelCount => Nx * Ny * Nz;

    /// <summary>World coordinate (mm) of canonical index <paramref name="i"/> along an axis of <paramref name="n"/> voxels.</summary>
    public double World(int i, int n) => (i - ((n - 1) / 2.0)) * VoxelSize;

    /// <summary>The canonical index nearest to world coordinate <paramref name="w"/>, not clamped.</summary>
    public double Index(double w, int n) => (w / VoxelSize) + ((n - 1) / 2.0);

    /// <summary>Grid length along one axis: the field of view divided by the voxel size, rounded, at least 1.</summary>
    public static int AxisLength(double fieldOfView, double voxelSize)
    {
        double n = Math.Round(fieldOfView / voxelSize);
        if (!(n <= 32767))
        {
            throw new ArgumentException($"{fieldOfView} mm at {voxelSize} mm voxels gives {n} voxels along an axis; NIfTI-1 allows 32767");
        }
        return Math.Max(1, (int)n);
    }

    /// <summary>
    /// Reads three axis codes (one of L/R, one of P/A, one of I/S, in any order; case-insensitive) into
    /// (world axis, direction) per stored axis.
    /// </summary>
    public static (int WorldAxis, int Direction)[] ParseOrientation(string? codes, string context)
    {
        try
        {
            return Reorientation.ParseAxisCodes(codes ?? "");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"{context}orientation '{codes}' is not three axis codes naming each of L/R, P/A and I/S once (e.g. RAS, LAS, LIA, PSR)", e);
        }
    }

    /// <summary>Copies a canonical (RAS, x fastest) volume into stored order (first stored axis fastest).</summary>
    public void ToStored<T>(ReadOnlySpan<T> canonical, Span<T> stored)
    {
        int[] n = [Nx, Ny, Nz];
        int[] stride = [1, Nx, Nx * Ny];
        int start = 0;
        var step = new int[3];
        for (int d = 0; d < 3; d++)
        {
            var (axis, dir) = _axes[d];
            step[d] = stride[axis] * dir;
            if (dir < 0)
            {
                start += (n[axis] - 1) * stride[axis];
            }
        }
        int n0 = (int)StoredShape[0], n1 = (int)StoredShape[1], n2 = (int)StoredShape[2];
        int o = 0;
        for (int c = 0; c < n2; c++)
        {
            for (int b = 0; b < n1; b++)
            {
                int src = start + (b * step[1]) + (c * step[2]);
                for (int a = 0; a < n0; a++, src += step[0])
                {
                    stored[o++] = canonical[src];
                }
            }
        }
    }

    private Affine BuildAffine(int[] canonical)
    {
        var linear = new double[9];
        var translation = new double[3];
        for (int d = 0; d < 3; d++)
        {
            var (axis, dir) = _axes[d];
            linear[(axis * 3) + d] = dir * VoxelSize;
            // Stored index 0 is the canonical first voxel for a positive direction, the last for a negative one.
            int first = dir > 0 ? 0 : canonical[axis] - 1;
            translation[axis] = World(first, canonical[axis]);
        }
        return Affine.FromLinearAndTranslation(linear, translation);
    }
}
