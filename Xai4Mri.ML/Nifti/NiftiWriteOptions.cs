using System.IO.Compression;

namespace Xai4Mri.ML.Nifti;

/// <summary>Header settings for <see cref="NiftiWriter"/>; the defaults suit a new image in scanner space.</summary>
public sealed class NiftiWriteOptions
{
    /// <summary>Voxel sizes for <c>pixdim[1..n]</c>; default: the affine's column lengths for the first three axes, 1 beyond.</summary>
    public double[]? Zooms { get; set; }

    /// <summary>Slope stored in <c>scl_slope</c>: readers compute value = raw · slope + intercept. Default 1.</summary>
    public double Slope { get; set; } = 1;

    /// <summary>Intercept stored in <c>scl_inter</c>. Default 0.</summary>
    public double Intercept { get; set; }

    /// <summary><c>qform_code</c>; default 1 (scanner anatomical). 0 omits the qform.</summary>
    public short QformCode { get; set; } = 1;

    /// <summary><c>sform_code</c>; default 1 (scanner anatomical). 0 omits the sform.</summary>
    public short SformCode { get; set; } = 1;

    /// <summary><c>xyzt_units</c>; default 10 (millimetres and seconds).</summary>
    public byte XyztUnits { get; set; } = 10;

    /// <summary>The <c>descrip</c> text (at most 79 Latin-1 characters).</summary>
    public string Description { get; set; } = "";

    /// <summary>gzip level for .nii.gz; default <see cref="CompressionLevel.Fastest"/> (nibabel also writes level 1).</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>A copy of these options.</summary>
    public NiftiWriteOptions Copy()
    {
        var copy = (NiftiWriteOptions)MemberwiseClone();
        copy.Zooms = Zooms?.ToArray();
        return copy;
    }
}
