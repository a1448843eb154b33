namespace Xai4Mri.ML.Nifti;

/// <summary>The container format of an image file (compression is detected separately).</summary>
public enum ImageFormat
{
    /// <summary>NIfTI-1 single file (.nii).</summary>
    Nifti1,
    /// <summary>NIfTI-2 single file (.nii).</summary>
    Nifti2,
    /// <summary>NIfTI-1 header/image pair (.hdr + .img).</summary>
    Nifti1Pair,
    /// <summary>NIfTI-2 header/image pair (.hdr + .img).</summary>
    Nifti2Pair,
    /// <summary>FreeSurfer MGH (.mgh, or .mgz when gzipped).</summary>
    Mgh,
}
