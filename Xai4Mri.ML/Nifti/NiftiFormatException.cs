namespace Xai4Mri.ML.Nifti;

/// <summary>
/// The one exception the NIfTI/MGH readers and writer throw for a file they cannot read or write: its message
/// names the file and the problem.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/>: reading the file failed, and callers handling I/O errors see it too.
/// I/O failures (missing file, permission denied, a gzip stream cut short) are wrapped and kept as
/// <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class NiftiFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    public NiftiFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that could not be read or written.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
