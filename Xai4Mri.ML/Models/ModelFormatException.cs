namespace Xai4Mri.ML.Models;

/// <summary>
/// The one exception the model readers throw for a model file they cannot use (corrupt bytes, an operator or
/// attribute outside what the network description can express, a graph that is not a chain of layers): its message
/// names the file and the problem.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/>: reading the file failed, and callers handling I/O errors see it too.
/// Underlying failures (a protobuf parse error, a missing file) are kept as <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    public ModelFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The model file (or a description of an in-memory model) that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
