using Microsoft.ML;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Where ML.NET writes the ONNX graphs of the chains this library builds and loads: one folder per process under the
/// temp folder, deleted when the process exits. ML.NET's ONNX transformer runs a graph from a file and keeps the file
/// for as long as the transformer lives (it reads it again to save the model), and leaves it behind when loading the
/// graph fails or the process ends first; gathered here, none outlives the process.
/// </summary>
internal static class OnnxTempFolder
{
    private static readonly Lazy<string> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder, created on first use.</summary>
    public static string Path => Folder.Value;

    /// <summary>A context whose temporary files go to <see cref="Path"/>.</summary>
    public static MLContext Context() => new() { TempFilePath = Path };

    private static string Create()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"xai4mri-onnx-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(path);
        return path;
    }

    private static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is ending and has no one left to tell; a file another process still holds open (possible
            // on Windows only) is the one thing that can stop this.
        }
    }
}
