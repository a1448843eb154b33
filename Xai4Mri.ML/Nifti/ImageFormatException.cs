namespace Xai4Mri.ML.Nifti;

/// <summary>
/// The one exception the image readers (NIfTI-1/2, Analyze .hdr/.img, MGH/MGZ) and the NIfTI writer throw for a file
/// they cannot read or write: its message names the file and the problem.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/>: reading the file failed, and callers handling I/O errors see it too.
/// I/O failures (missing file, permission denied, a gzip stream cut short) are wrapped and kept as
/// <see cref="Exception.InnerException"/>.
/// </remarks>
#pragma warning disable CS0618 // The base keeps code that catches the former name working.
public sealed class ImageFormatException : NiftiFormatException
#pragma warning restore CS0618
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    public ImageFormatException(string path, string problem, Exception? inner = null)
        : base(path, problem, inner)
    {
    }
}
