namespace Xai4Mri.ML.Nifti;

/// <summary>
/// The former name of <see cref="ImageFormatException"/>, which it now derives from, so that code catching it still
/// catches every reader's and writer's errors.
/// </summary>
[Obsolete("Catch ImageFormatException: the readers throw it for NIfTI, Analyze and MGH/MGZ files alike.")]
public class NiftiFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    protected NiftiFormatException(string path, string problem, Exception? inner)
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
