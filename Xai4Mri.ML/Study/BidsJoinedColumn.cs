namespace Xai4Mri.ML.Study;

/// <summary>A metadata column <see cref="BidsDataset"/> joined: which levels hold it, its type, and how many rows disagree between levels.</summary>
public sealed class BidsJoinedColumn
{
    internal BidsJoinedColumn(string name, IReadOnlyList<BidsMetadataSource> sources, DatasetColumnKind kind, int rowsWithValue, int differingRows)
    {
        Name = name;
        Sources = sources;
        Kind = kind;
        RowsWithValue = rowsWithValue;
        DifferingRows = differingRows;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>
    /// The levels with a column of this name, least specific first. With more than one, each row takes the value of the
    /// most specific level that has one for it (not missing); the others fill in where it has none.
    /// </summary>
    public IReadOnlyList<BidsMetadataSource> Sources { get; }

    /// <summary>Number when every non-missing value of every level parses as a number, text otherwise.</summary>
    public DatasetColumnKind Kind { get; }

    /// <summary>Rows (images) with a non-missing value.</summary>
    public int RowsWithValue { get; }

    /// <summary>Rows where two levels both have a value and the values differ (the more specific one was used).</summary>
    public int DifferingRows { get; }
}
