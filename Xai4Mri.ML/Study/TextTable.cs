namespace Xai4Mri.ML.Study;

/// <summary>A table as read from a .csv/.tsv file: checked header names and raw records with their line numbers.</summary>
internal sealed class TextTable
{
    public TextTable(string path, int headerLine, string[] header, List<TextRecord> records)
    {
        Path = path;
        HeaderLine = headerLine;
        Header = header;
        Records = records;
    }

    /// <summary>Absolute path of the file, used in every error message.</summary>
    public string Path { get; }

    public int HeaderLine { get; }

    public string[] Header { get; }

    /// <summary>Data records; each has exactly <see cref="Header"/>.Length fields.</summary>
    public List<TextRecord> Records { get; }

    /// <summary>The index of column <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => Array.IndexOf(Header, name);

    /// <summary>The column names quoted and joined, for error messages.</summary>
    public string DescribeColumns() => string.Join(", ", Header.Select(h => $"'{h}'"));
}
