using Microsoft.ML;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A study table (.csv or .tsv, one row per subject) with the resolved image path of every subject: xai4mri's
/// <c>study_table</c> plus its <c>mri_path_constructor</c>, as an ML.NET <see cref="IDataView"/>.
/// </summary>
/// <remarks>
/// Columns, in this order: the subject-id column (text), <c>Path</c> (absolute image path, text), then the other
/// table columns in file order. A column whose non-missing values all parse as numbers (invariant culture) is
/// <see cref="float"/> with NaN for missing values (empty, <c>n/a</c>, <c>NA</c>); any other column, and the subject
/// id always, is text kept as written.
/// </remarks>
public sealed class StudyTable
{
    private const string Channel = "StudyTable";
    private readonly DatasetColumn[] _columns;
    private readonly SkippedSubject[] _skipped;

    private StudyTable(string sourcePath, string subjectColumn, DatasetColumn[] columns, SkippedSubject[] skipped)
    {
        SourcePath = sourcePath;
        SubjectColumn = subjectColumn;
        _columns = columns;
        _skipped = skipped;
    }

    /// <summary>Absolute path of the table file.</summary>
    public string SourcePath { get; }

    /// <summary>The name of the subject-id column (<c>sid</c>, <c>participant_id</c> or the one in the options).</summary>
    public string SubjectColumn { get; }

    /// <summary>Every column of the data view, in its order; values are those of the kept rows.</summary>
    public IReadOnlyList<DatasetColumn> Columns => _columns;

    /// <summary>The number of rows (subjects) kept.</summary>
    public int RowCount => _columns[0].Values.Count;

    /// <summary>The subject id of every kept row.</summary>
    public IReadOnlyList<string> SubjectIds => this[SubjectColumn].Values;

    /// <summary>The absolute image path of every kept row.</summary>
    public IReadOnlyList<string> Paths => this[DatasetColumnNames.Path].Values;

    /// <summary>Rows left out under <see cref="MissingFilePolicy.Skip"/> because their image does not exist, in file order.</summary>
    public IReadOnlyList<SkippedSubject> Skipped => _skipped;

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns.</exception>
    public DatasetColumn this[string name] =>
        _columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{SourcePath}: no column '{name}'; columns: {string.Join(", ", _columns.Select(c => c.Name))}");

    /// <summary>Reads a study table and resolves the image path of every subject.</summary>
    /// <param name="path">A .csv (RFC 4180) or .tsv (tab-separated, no quoting) file, UTF-8 with or without BOM.</param>
    /// <param name="pathTemplate">
    /// Image path pattern, e.g. <c>{sid}/anat/{sid}_T1w.nii.gz</c>: <c>{sid}</c> is the subject id, <c>{column}</c>
    /// a row's value in that column as written, <c>{{</c>/<c>}}</c> literal braces; relative results are resolved
    /// against the table's folder. Give this or <paramref name="pathColumn"/>.
    /// </param>
    /// <param name="pathColumn">A column holding image paths (relative ones resolved against the table's folder).</param>
    /// <param name="options">Subject column and missing-file policy; null for the defaults.</param>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="pathTemplate"/> and <paramref name="pathColumn"/>, or a malformed template.</exception>
    /// <exception cref="DatasetException">
    /// The table cannot be read or is malformed (the message names the file and line), has no subject column, has
    /// empty or duplicate subject ids, or image files are missing under <see cref="MissingFilePolicy.Error"/> (the
    /// message lists the subjects and paths; <see cref="DatasetException.SubjectIds"/> has all of them).
    /// </exception>
    public static StudyTable Read(string path, string? pathTemplate = null, string? pathColumn = null, StudyTableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if ((pathTemplate is null) == (pathColumn is null))
        {
            throw new ArgumentException("give exactly one of pathTemplate (e.g. \"{sid}/anat/{sid}_T1w.nii.gz\") and pathColumn", nameof(pathTemplate));
        }
        options ??= new StudyTableOptions();
        PathTemplate? template = pathTemplate is null ? null : PathTemplate.Parse(pathTemplate);

        TextTable table = DelimitedTextReader.Read(path);
        string file = table.Path;
        string folder = System.IO.Path.GetDirectoryName(file)!;
        int subjectIndex = FindSubjectColumn(table, options.SubjectColumn);
        string subjectColumn = table.Header[subjectIndex];
        CheckSubjectIds(table, subjectIndex);
        CheckNumericColumns(table, subjectIndex, options.NumericColumns);
        Func<TextRecord, string> rawPathOf = PathSource(table, subjectIndex, template, pathColumn);

        var keptRows = new List<int>();
        var resolved = new List<string>();
        var missing = new List<SkippedSubject>();
        for (int row = 0; row < table.Records.Count; row++)
        {
            TextRecord record = table.Records[row];
            string raw = rawPathOf(record);
            string full = Resolve(file, folder, raw, record.Line);
            if (ImageFileCheck.Problem(full) is string problem)
            {
                missing.Add(new SkippedSubject(record.Fields[subjectIndex], full, record.Line, problem));
            }
            else
            {
                keptRows.Add(row);
                resolved.Add(full);
            }
        }
        if (missing.Count > 0 && options.MissingFiles == MissingFilePolicy.Error)
        {
            throw new DatasetException(file,
                $"{missing.Count} of {table.Records.Count} subjects have no image file: {MLNetLog.Shorten(missing.Select(m => m.ToString()))}" +
                " (set MissingFiles = MissingFilePolicy.Skip to leave them out)",
                subjectIds: missing.Select(m => m.SubjectId).ToArray());
        }
        if (keptRows.Count == 0)
        {
            throw new DatasetException(file, table.Records.Count == 0 ? "the table has a header but no rows" : "no subject has an image file",
                subjectIds: missing.Select(m => m.SubjectId).ToArray());
        }
        return new StudyTable(file, subjectColumn, BuildColumns(table, subjectIndex, pathColumn, keptRows, resolved), missing.ToArray());
    }

    /// <summary>Reads a study table (see <see cref="Read"/>) and returns it as an <see cref="IDataView"/>; skipped subjects are logged as a warning on <paramref name="ml"/>'s channel.</summary>
    /// <exception cref="DatasetException">As <see cref="Read"/>.</exception>
    public static IDataView Load(MLContext ml, string path, string? pathTemplate = null, string? pathColumn = null, StudyTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return Read(path, pathTemplate, pathColumn, options).ToDataView(ml);
    }

    /// <summary>The table as an in-memory <see cref="IDataView"/>; logs the skipped subjects, if any, as a warning.</summary>
    public IDataView ToDataView(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (_skipped.Length > 0)
        {
            MLNetLog.Warning(ml, Channel, $"{SourcePath}: skipped {_skipped.Length} subjects without an image file: {MLNetLog.Shorten(_skipped.Select(s => s.ToString()))}");
        }
        return new InMemoryDataView(_columns.Select(c => c.ToInMemoryColumn()));
    }

    private static int FindSubjectColumn(TextTable table, string? requested)
    {
        if (requested is not null)
        {
            int index = table.IndexOf(requested);
            return index >= 0 ? index
                : throw new DatasetException(table.Path, $"no subject column '{requested}' (from the options); columns: {table.DescribeColumns()}", table.HeaderLine);
        }
        return SubjectColumns.FirstPresent(c => table.IndexOf(c) >= 0) is { } found ? table.IndexOf(found)
            : throw new DatasetException(table.Path,
                $"no subject column: expected 'sid' (xai4mri) or 'participant_id' (BIDS), or name one in StudyTableOptions.SubjectColumn; columns: {table.DescribeColumns()}",
                table.HeaderLine);
    }

    /// <summary>Every subject id is non-empty and appears once (xai4mri requires a unique <c>sid</c> index).</summary>
    internal static void CheckSubjectIds(TextTable table, int subjectIndex)
    {
        var lines = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (TextRecord record in table.Records)
        {
            string id = record.Fields[subjectIndex];
            if (id.Trim().Length == 0)
            {
                throw new DatasetException(table.Path, $"empty subject id in column '{table.Header[subjectIndex]}'", record.Line);
            }
            if (!lines.TryGetValue(id, out List<int>? at))
            {
                lines[id] = at = [];
            }
            at.Add(record.Line);
        }
        var duplicates = lines.Where(kv => kv.Value.Count > 1).ToList();
        if (duplicates.Count > 0)
        {
            string list = MLNetLog.Shorten(duplicates.Select(kv => $"{kv.Key} (lines {string.Join(", ", kv.Value)})"));
            throw new DatasetException(table.Path, $"duplicate subject ids in column '{table.Header[subjectIndex]}': {list}",
                subjectIds: duplicates.Select(kv => kv.Key).ToArray());
        }
    }

    /// <summary>How to get a row's image path as written (before resolving), after checking the names involved.</summary>
    private static Func<TextRecord, string> PathSource(TextTable table, int subjectIndex, PathTemplate? template, string? pathColumn)
    {
        int existingPath = table.IndexOf(DatasetColumnNames.Path);
        if (existingPath >= 0 && pathColumn != DatasetColumnNames.Path)
        {
            throw new DatasetException(table.Path,
                $"the table has a column '{DatasetColumnNames.Path}', which is the name of the resolved image path; rename it, or pass pathColumn: \"{DatasetColumnNames.Path}\" to use it",
                table.HeaderLine);
        }
        if (pathColumn is not null)
        {
            int index = table.IndexOf(pathColumn);
            return index >= 0 ? record => record.Fields[index]
                : throw new DatasetException(table.Path, $"no path column '{pathColumn}'; columns: {table.DescribeColumns()}", table.HeaderLine);
        }
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string name in template!.Columns)
        {
            int index = name == DatasetColumnNames.Sid ? subjectIndex : table.IndexOf(name);
            indices[name] = index >= 0 ? index
                : throw new DatasetException(table.Path, $"path template '{template.Text}' names '{{{name}}}', which is not a column; columns: {table.DescribeColumns()}", table.HeaderLine);
        }
        return record => template.Expand(name => record.Fields[indices[name]]);
    }

    private static string Resolve(string file, string folder, string raw, int line)
    {
        if (raw.Length == 0)
        {
            return "";
        }
        try
        {
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, raw));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new DatasetException(file, $"image path '{raw}' is not a valid path ({e.Message})", line, inner: e);
        }
    }

    /// <summary>Every row of each required numeric column holds a number; the first that does not is reported.</summary>
    private static void CheckNumericColumns(TextTable table, int subjectIndex, IReadOnlyList<string> columns)
    {
        foreach (string name in columns)
        {
            int c = Array.IndexOf(table.Header, name);
            if (c < 0)
            {
                throw new DatasetException(table.Path, $"column '{name}' must hold numbers but the table has no such column (columns: {string.Join(", ", table.Header)})");
            }
            foreach (TextRecord record in table.Records)
            {
                string value = record.Fields[c];
                if (ColumnTyping.IsMissing(value) || !ColumnTyping.TryParseNumber(value, out _))
                {
                    string subject = record.Fields[subjectIndex];
                    throw new DatasetException(table.Path,
                        ColumnTyping.IsMissing(value) ? $"subject {subject}: column '{name}' has no value; a number is required" : $"subject {subject}: column '{name}' holds '{value}', not a number",
                        record.Line, subjectIds: [subject]);
                }
            }
        }
    }

    /// <summary>Subject column, Path, then the remaining columns in file order; typed over all rows of the file.</summary>
    private static DatasetColumn[] BuildColumns(TextTable table, int subjectIndex, string? pathColumn, List<int> keptRows, List<string> resolved)
    {
        var columns = new List<DatasetColumn>
        {
            ColumnTyping.Text(table.Header[subjectIndex], keptRows.Select(r => table.Records[r].Fields[subjectIndex]).ToArray()),
            ColumnTyping.Text(DatasetColumnNames.Path, resolved.ToArray()),
        };
        for (int c = 0; c < table.Header.Length; c++)
        {
            // A source column named Path is replaced by the resolved paths (checked in PathSource).
            if (c == subjectIndex || table.Header[c] == DatasetColumnNames.Path)
            {
                continue;
            }
            // The column holding paths stays text: a folder of numbered files should not turn into numbers.
            bool numeric = table.Header[c] != pathColumn && ColumnTyping.IsNumeric(table.Records.Select(r => r.Fields[c]));
            columns.Add(ColumnTyping.Build(table.Header[c], keptRows.Select(r => table.Records[r].Fields[c]).ToArray(), numeric));
        }
        return columns.ToArray();
    }
}
