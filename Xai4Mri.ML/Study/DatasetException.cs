using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The one exception the dataset loaders (<see cref="StudyTable"/>, <see cref="BidsDataset"/>) and
/// <see cref="SubjectSplit"/> throw for data they cannot use: its message names the file, and the 1-based line or the
/// subjects where relevant.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> like <see cref="ImageFormatException"/>: reading a dataset failed, and
/// callers handling I/O errors see it too. Wrong arguments (ratios that do not sum to 1, a null context) are
/// <see cref="ArgumentException"/>s instead, because they are programming errors rather than problems in the data.
/// </remarks>
public sealed class DatasetException : IOException
{
    /// <summary>Creates the exception; the message is built from the file, the line and the problem.</summary>
    /// <param name="filePath">The table, folder or split file concerned; null when the data did not come from a file.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    /// <param name="line">1-based line in <paramref name="filePath"/>, when one line is at fault.</param>
    /// <param name="subjectIds">The subjects concerned (missing images, duplicates), when any.</param>
    /// <param name="inner">The underlying I/O or parsing error, when any.</param>
    public DatasetException(string? filePath, string problem, int? line = null, IReadOnlyList<string>? subjectIds = null, Exception? inner = null)
        : base(Compose(filePath, problem, line), inner)
    {
        FilePath = filePath;
        Problem = problem;
        Line = line;
        SubjectIds = subjectIds ?? [];
    }

    /// <summary>The table, folder or split file concerned; null when the data did not come from a file.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name and line.</summary>
    public string Problem { get; }

    /// <summary>1-based line in <see cref="FilePath"/> at fault, or null when the problem is not one line.</summary>
    public int? Line { get; }

    /// <summary>Every subject concerned (the message may shorten long lists); empty when no subject is.</summary>
    public IReadOnlyList<string> SubjectIds { get; }

    private static string Compose(string? filePath, string problem, int? line)
    {
        string where = filePath is null ? "" : $"{filePath}: ";
        return line is int n ? $"{where}line {n}: {problem}" : $"{where}{problem}";
    }
}
