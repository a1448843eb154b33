namespace Xai4Mri.ML.Study;

/// <summary>One metadata table that <see cref="BidsDataset"/> read: how many of its rows matched an image, and which did not.</summary>
public sealed class BidsTableSummary
{
    internal BidsTableSummary(BidsMetadataSource source, string path, int rows, int matchedRows, int missingFileRows, IReadOnlyList<string> unmatchedRows)
    {
        Source = source;
        Path = path;
        Rows = rows;
        MatchedRows = matchedRows;
        MissingFileRows = missingFileRows;
        UnmatchedRows = unmatchedRows;
    }

    /// <summary>The kind of table (participants, sessions or scans).</summary>
    public BidsMetadataSource Source { get; }

    /// <summary>Absolute path of the table.</summary>
    public string Path { get; }

    /// <summary>Its data rows (the header not counted).</summary>
    public int Rows { get; }

    /// <summary>Rows that describe at least one image of the dataset (a subject, a session or the image file itself).</summary>
    public int MatchedRows { get; }

    /// <summary>scans.tsv rows naming a file that does not exist (each also a warning); 0 for the other tables.</summary>
    public int MissingFileRows { get; }

    /// <summary>
    /// Every row that matched no image, with its line and why (<c>line 4: ses-3: no T1w image in that session</c>,
    /// <c>line 5: func/sub-01_task-rest_bold.nii.gz: not a T1w image</c>).
    /// </summary>
    public IReadOnlyList<string> UnmatchedRows { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Path}: {Rows} rows, {MatchedRows} matched" + (MissingFileRows > 0 ? $", {MissingFileRows} name missing files" : "");
}
