namespace Xai4Mri.ML.Models;

/// <summary>
/// A model file cannot be used: it is missing, not the expected format, damaged, or describes layers, settings or
/// weights that Xai4Mri.ML does not support. The message reads "&lt;file&gt;: &lt;problem&gt;" and names the layer
/// concerned, if any. Derives from <see cref="IOException"/> so that callers handling file errors catch it too.
/// </summary>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="file"/> with a description of the <paramref name="problem"/>.</summary>
    public ModelFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        FileName = file;
        Problem = problem;
    }

    /// <summary>The model file concerned.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
