namespace Xai4Mri.ML.Study;

/// <summary>Whether an image path points at a readable file.</summary>
internal static class ImageFileCheck
{
    /// <summary>Null when <paramref name="path"/> is an existing file, else why not.</summary>
    /// <remarks>
    /// <see cref="File.Exists"/> is true for a symbolic link whose target is gone, which is what a DataLad/git-annex
    /// dataset holds for content not yet fetched; such a file would only fail later, in the image loader.
    /// </remarks>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "no image path given";
        }
        var info = new FileInfo(path);
        if (!info.Exists && Directory.Exists(path))
        {
            return "image path is a directory, not an image file";
        }
        if (!info.Exists)
        {
            return "image file not found";
        }
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
        {
            return "image file is a broken symbolic link (git-annex/DataLad content not fetched?)";
        }
        return null;
    }
}
