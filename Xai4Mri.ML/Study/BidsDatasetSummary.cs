using System.Globalization;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// What <see cref="BidsDataset"/> joined: the metadata tables and sidecars it read, how many of their rows matched
/// images and which did not, the columns with their levels, and the warnings (also logged by
/// <see cref="BidsDataset.ToDataView"/>).
/// </summary>
public sealed class BidsDatasetSummary
{
    private readonly IReadOnlyDictionary<BidsMetadataSource, int> _imagesWith;

    internal BidsDatasetSummary(string root, string suffix, int imageCount, int subjectCount, IReadOnlyList<BidsTableSummary> tables,
        IReadOnlyList<string> sidecarFiles, IReadOnlyDictionary<BidsMetadataSource, int> imagesWith, IReadOnlyList<BidsJoinedColumn> columns,
        IReadOnlyList<string> unlistedSubjects, IReadOnlyList<string> warnings)
    {
        Root = root;
        Suffix = suffix;
        ImageCount = imageCount;
        SubjectCount = subjectCount;
        Tables = tables;
        SidecarFiles = sidecarFiles;
        _imagesWith = imagesWith;
        Columns = columns;
        UnlistedSubjects = unlistedSubjects;
        Warnings = warnings;
    }

    /// <summary>Absolute path of the BIDS root.</summary>
    public string Root { get; }

    /// <summary>The image suffix, e.g. <c>T1w</c>.</summary>
    public string Suffix { get; }

    /// <summary>Images (rows) in the dataset.</summary>
    public int ImageCount { get; }

    /// <summary>Distinct subjects with images.</summary>
    public int SubjectCount { get; }

    /// <summary>Every participants, sessions and scans table read, in that order (subjects and sessions in ordinal order).</summary>
    public IReadOnlyList<BidsTableSummary> Tables { get; }

    /// <summary>Every <c>.json</c> sidecar read (absolute paths, ordinal order); empty unless sidecar fields were asked for.</summary>
    public IReadOnlyList<string> SidecarFiles { get; }

    /// <summary>The metadata columns, in the data view's order (after participant_id, session, run and Path).</summary>
    public IReadOnlyList<BidsJoinedColumn> Columns { get; }

    /// <summary>Subjects with images but no participants.tsv row.</summary>
    public IReadOnlyList<string> UnlistedSubjects { get; }

    /// <summary>
    /// Problems that did not stop loading: text columns holding some numbers (values with units), scans.tsv rows naming
    /// files that do not exist, levels disagreeing on a column, non-scalar or ambiguous sidecar fields.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>How many images have a row (participants, sessions, scans) or at least one sidecar from <paramref name="source"/>.</summary>
    public int ImagesWith(BidsMetadataSource source) => _imagesWith.GetValueOrDefault(source);

    /// <summary>The summary as lines of text, as logged and as the <c>xai4mri</c> commands print it.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string> { Invariant($"BIDS {Root}: {ImageCount} {Suffix} images of {SubjectCount} subjects") };
        foreach (var group in Tables.GroupBy(t => t.Source))
        {
            string name = FileName(group.Key);
            int files = group.Count();
            int rows = group.Sum(t => t.Rows);
            int matched = group.Sum(t => t.MatchedRows);
            int missing = group.Sum(t => t.MissingFileRows);
            var unmatched = group.SelectMany(t => t.UnmatchedRows.Select(u => $"{System.IO.Path.GetFileName(t.Path)} {u}")).ToList();
            string line = Invariant($"{name}: {files} file{(files == 1 ? "" : "s")}, {rows} rows, {matched} matched, {unmatched.Count} not matched");
            if (missing > 0)
            {
                line += Invariant($" ({missing} name missing files)");
            }
            line += Invariant($"; images with a row: {ImagesWith(group.Key)} of {ImageCount}");
            if (unmatched.Count > 0)
            {
                line += $"; not matched: {MLNetLog.Shorten(unmatched, 5)}";
            }
            lines.Add(line);
        }
        if (UnlistedSubjects.Count > 0)
        {
            lines.Add(Invariant($"participants.tsv: {UnlistedSubjects.Count} subjects with images have no row: {MLNetLog.Shorten(UnlistedSubjects, 5)}"));
        }
        if (SidecarFiles.Count > 0)
        {
            lines.Add(Invariant($"sidecars (.json): {SidecarFiles.Count} files; images with a sidecar: {ImagesWith(BidsMetadataSource.Sidecar)} of {ImageCount}"));
        }
        if (!Tables.Any() && SidecarFiles.Count == 0)
        {
            lines.Add("no participants.tsv, sessions.tsv, scans.tsv or sidecar read: the columns are participant_id, session, run and Path");
        }
        if (Columns.Count > 0)
        {
            lines.Add("columns: " + string.Join(", ", Columns.Select(Describe)));
        }
        lines.AddRange(Warnings.Select(w => "warning: " + w));
        return lines;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(Environment.NewLine, Lines());

    internal static string FileName(BidsMetadataSource source) => source switch
    {
        BidsMetadataSource.Participants => "participants.tsv",
        BidsMetadataSource.Sessions => "sessions.tsv",
        BidsMetadataSource.Scans => "scans.tsv",
        _ => "sidecar",
    };

    private string Describe(BidsJoinedColumn c)
    {
        string levels = string.Join(" < ", c.Sources.Select(FileName));
        string differ = c.DifferingRows > 0 ? Invariant($", {c.DifferingRows} rows differ") : "";
        return Invariant($"{c.Name} ({c.Kind}, {levels}, {c.RowsWithValue}/{ImageCount}{differ})");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
