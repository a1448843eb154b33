using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>The shape (D, H, W) and voxel-to-world affine of a grid, without its voxels.</summary>
internal sealed record GridGeometry(int[] Shape, Affine Affine)
{
    /// <summary>The grid of a volume.</summary>
    public static GridGeometry Of(Volume volume) => new([.. volume.Shape], volume.Affine);

    /// <summary>The first three axes of a file's shape (a 2-D file has depth 1), with its affine.</summary>
    public static GridGeometry OfFile(long[] shape, Affine affine) =>
        new([(int)shape[0], shape.Length > 1 ? (int)shape[1] : 1, shape.Length > 2 ? (int)shape[2] : 1], affine);
}
