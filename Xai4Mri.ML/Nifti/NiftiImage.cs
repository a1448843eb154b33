namespace Xai4Mri.ML.Nifti;

/// <summary>The former name of <see cref="MriImage"/>, which reads MGH/MGZ as well as NIfTI and Analyze files.</summary>
[Obsolete("Use MriImage.")]
public static class NiftiImage
{
    /// <summary>Opens an image file; the same as <see cref="MriImage.Load"/>.</summary>
    /// <exception cref="ImageFormatException">The file is missing, unreadable, or not a valid image; the message names it.</exception>
    public static MriImage Load(string path) => MriImage.Load(path);
}
