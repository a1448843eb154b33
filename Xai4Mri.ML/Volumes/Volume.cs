using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Volumes;

/// <summary>
/// A 3-D float32 image with its voxel-to-world affine, stored in C order: index (i, j, k) of shape (D, H, W) lives at
/// <c>(i·H + j)·W + k</c>, so the last axis varies fastest — the layout of NumPy arrays, of ML.NET's known-size
/// vectors and of channels-first tensors.
/// </summary>
public sealed class Volume
{
    /// <summary>Creates a volume; <paramref name="data"/> must hold D·H·W values in C order.</summary>
    public Volume(float[] data, int[] shape, Affine affine)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(affine);
        if (shape is not { Length: 3 } || shape.Any(d => d < 0))
        {
            throw new ArgumentException("a volume has three non-negative dimensions", nameof(shape));
        }
        if ((long)shape[0] * shape[1] * shape[2] != data.Length)
        {
            throw new ArgumentException($"{data.Length} values for shape {string.Join('x', shape)}", nameof(data));
        }
        Data = data;
        Shape = shape;
        Affine = affine;
    }

    /// <summary>The voxels in C order (last axis fastest).</summary>
    public float[] Data { get; }

    /// <summary>(D, H, W): the sizes of the three voxel axes.</summary>
    public int[] Shape { get; }

    /// <summary>Voxel (i, j, k) to world (mm).</summary>
    public Affine Affine { get; }

    /// <summary>Orientation codes of the voxel axes (e.g. <c>"LIA"</c>).</summary>
    public string AxisCodes => Orientation.AxisCodes(Affine);

    /// <summary>Voxel sizes in mm (lengths of the affine's columns).</summary>
    public double[] VoxelSize => Affine.ColumnNorms();

    /// <summary>Flat index of voxel (i, j, k).</summary>
    public int Index(int i, int j, int k) => (((i * Shape[1]) + j) * Shape[2]) + k;

    /// <summary>Value at voxel (i, j, k).</summary>
    public float this[int i, int j, int k] => Data[Index(i, j, k)];

    /// <summary>The voxels in NIfTI's file order (first axis fastest), as <see cref="NiftiWriter"/> takes them.</summary>
    public float[] ToFileOrder()
    {
        int nx = Shape[0], ny = Shape[1], nz = Shape[2];
        var fortran = GC.AllocateUninitializedArray<float>(Data.Length);
        for (int i = 0; i < nx; i++)
        {
            for (int j = 0; j < ny; j++)
            {
                int src = Index(i, j, 0);
                for (int k = 0; k < nz; k++)
                {
                    fortran[i + (nx * (j + (ny * k)))] = Data[src + k];
                }
            }
        }
        return fortran;
    }

    /// <summary>Writes the volume as a NIfTI-1 float32 file with its affine (.nii, or .nii.gz when the name ends in .gz).</summary>
    /// <exception cref="ImageFormatException">The file cannot be written.</exception>
    public void Save(string path) => NiftiWriter.Write<float>(path, ToFileOrder(), [Shape[0], Shape[1], Shape[2]], Affine);

    /// <summary>
    /// The first 3-D volume of an image as a <see cref="Volume"/> (transposed from NIfTI's first-axis-fastest order).
    /// </summary>
    /// <param name="image">An opened image.</param>
    /// <param name="allowFourD">When true, a 4-D image yields its first volume; otherwise 4-D input is an error.</param>
    /// <exception cref="ImageFormatException">The image is not 3-D (or 4-D when allowed), or cannot be read.</exception>
    public static Volume FromImage(MriImage image, bool allowFourD = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        long[] shape = image.Shape;
        int spatial = Math.Min(3, shape.Length);
        long extra = 1;
        for (int d = 3; d < shape.Length; d++)
        {
            extra *= shape[d];
        }
        if (extra > 1 && !allowFourD)
        {
            throw new ImageFormatException(image.FilePath, $"image is {shape.Length}-D ({string.Join('x', shape)}); a 3-D volume is expected (allow 4-D input to take the first volume)");
        }
        int nx = (int)shape[0], ny = spatial > 1 ? (int)shape[1] : 1, nz = spatial > 2 ? (int)shape[2] : 1;
        long perVolume = (long)nx * ny * nz;
        if (perVolume > Array.MaxLength)
        {
            throw new ImageFormatException(image.FilePath, $"volume of {perVolume} voxels is too large");
        }
        // Only the first volume is read: the others of a 4-D file would cost memory and time for nothing.
        var all = GC.AllocateUninitializedArray<float>((int)perVolume);
        image.Data.ReadFloat32Prefix(all);
        var data = GC.AllocateUninitializedArray<float>((int)perVolume);
        // NIfTI stores x fastest; C order wants z fastest.
        Parallel.For(0, nx, i =>
        {
            for (int j = 0; j < ny; j++)
            {
                int dst = ((i * ny) + j) * nz;
                int src = i + (nx * j);
                int stride = nx * ny;
                for (int k = 0; k < nz; k++)
                {
                    data[dst + k] = all[src + (stride * k)];
                }
            }
        });
        return new Volume(data, [nx, ny, nz], image.Affine);
    }
}
