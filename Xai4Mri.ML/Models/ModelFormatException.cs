namespace Xai4Mri.ML.Models;

/// <summary>
/// The one exception the model readers and importers (our format, Keras .h5, PyTorch, ONNX) throw for a file they
/// cannot use: its message names the file and the problem.
/// </summary>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    public ModelFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that could not be used.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
