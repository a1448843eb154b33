namespace Xai4Mri.ML.Models;

/// <summary>
/// A model file (Keras .h5, PyTorch .pt/.pth, ONNX, …) that cannot be read: corrupt, truncated, of an unknown format,
/// holding something other than the expected weights, or not matching the network it is loaded into. The message
/// is "&lt;file&gt;: &lt;problem&gt;". It derives from <see cref="IOException"/> so that callers handling file errors
/// catch it too.
/// </summary>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="file"/> with a description of the problem.</summary>
    public ModelFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        FileName = file;
        Problem = problem;
    }

    /// <summary>The model file that could not be read.</summary>
    public string FileName { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
