using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The anatomical images of one suffix (T1w, T2w, FLAIR, …) in a BIDS folder, one row per image, joined with the
/// dataset's metadata (participants.tsv, sessions.tsv, scans.tsv, requested sidecar fields), as an ML.NET <see cref="IDataView"/>.
/// </summary>
/// <remarks>
/// Images are found at <c>sub-&lt;label&gt;/[ses-&lt;label&gt;/]anat/sub-&lt;label&gt;[_ses-&lt;label&gt;][_acq-&lt;label&gt;][_run-&lt;index&gt;]_&lt;suffix&gt;.nii[.gz]</c>;
/// other files are ignored. Columns, in this order: <c>participant_id</c> (<c>sub-01</c>), <c>session</c>
/// (<c>ses-01</c>, empty when none), <c>run</c> (<c>run-1</c>, empty when none), <c>Path</c> (absolute), then the
/// metadata columns in the order they first appear in participants.tsv, the sessions.tsv files, the scans.tsv files
/// and <see cref="BidsDatasetOptions.SidecarFields"/>, typed as in <see cref="StudyTable"/> over every row of the files
/// read. A name at several levels is one column: each row takes the most specific level's non-missing value (sidecar,
/// then scans, sessions, participants). <see cref="Summary"/> says what was read and matched. Rows are sorted by subject
/// and session (ordinal), run (numeric), then acquisition and path.
/// </remarks>
public sealed class BidsDataset
{
    private const string Channel = "BidsDataset";
    private const string ParticipantsFileName = "participants.tsv";
    private readonly DatasetColumn[] _columns;
    private readonly SkippedSubject[] _skipped;
    private readonly string[] _unlisted;

    private BidsDataset(string root, string suffix, string? participantsFile, DatasetColumn[] columns, SkippedSubject[] skipped, string[] unlisted,
        BidsDatasetSummary summary)
    {
        Summary = summary;
        Root = root;
        Suffix = suffix;
        ParticipantsFile = participantsFile;
        _columns = columns;
        _skipped = skipped;
        _unlisted = unlisted;
    }

    /// <summary>Absolute path of the BIDS root folder.</summary>
    public string Root { get; }

    /// <summary>The image suffix searched for, e.g. <c>T1w</c>.</summary>
    public string Suffix { get; }

    /// <summary>Absolute path of <c>participants.tsv</c>, or null when the dataset has none.</summary>
    public string? ParticipantsFile { get; }

    /// <summary>Every column of the data view, in its order.</summary>
    public IReadOnlyList<DatasetColumn> Columns => _columns;

    /// <summary>The number of rows (images).</summary>
    public int RowCount => _columns[0].Values.Count;

    /// <summary>The <c>participant_id</c> of every row.</summary>
    public IReadOnlyList<string> SubjectIds => this[DatasetColumnNames.ParticipantId].Values;

    /// <summary>The session entity of every row (<c>ses-01</c>), empty when none.</summary>
    public IReadOnlyList<string> Sessions => this[DatasetColumnNames.Session].Values;

    /// <summary>The run entity of every row (<c>run-1</c>), empty when none.</summary>
    public IReadOnlyList<string> Runs => this[DatasetColumnNames.Run].Values;

    /// <summary>The absolute image path of every row.</summary>
    public IReadOnlyList<string> Paths => this[DatasetColumnNames.Path].Values;

    /// <summary>
    /// Subjects (or single images) left out under <see cref="MissingFilePolicy.Skip"/>: listed in participants.tsv
    /// without an image, or with an image that is a broken link.
    /// </summary>
    public IReadOnlyList<SkippedSubject> Skipped => _skipped;

    /// <summary>Subjects with images but no row in participants.tsv (their participant columns are NaN or empty); sorted.</summary>
    public IReadOnlyList<string> UnlistedSubjects => _unlisted;

    /// <summary>The metadata tables and sidecars read, the rows matched and not, the joined columns and the warnings.</summary>
    public BidsDatasetSummary Summary { get; }

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns.</exception>
    public DatasetColumn this[string name] =>
        _columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Root}: no column '{name}'; columns: {string.Join(", ", _columns.Select(c => c.Name))}");

    /// <summary>Finds the images of <paramref name="suffix"/> under <paramref name="root"/> and joins the metadata.</summary>
    /// <param name="root">The BIDS root folder (holding <c>sub-*</c> folders and, optionally, participants.tsv).</param>
    /// <param name="suffix">The BIDS suffix of the images: letters and digits, e.g. <c>T1w</c>, <c>T2w</c>, <c>FLAIR</c>.</param>
    /// <param name="options">Missing-file policy, which tables to join, sidecar fields; null for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="suffix"/> is not letters and digits, or <see cref="BidsDatasetOptions.SidecarFields"/> has an
    /// empty, repeated or reserved name.
    /// </exception>
    /// <exception cref="DatasetException">
    /// The folder does not exist or holds no such image, an image's name disagrees with its folders, participants.tsv
    /// is malformed or has duplicate ids, subjects in it have no image under <see cref="MissingFilePolicy.Error"/>, a
    /// sessions.tsv or scans.tsv is malformed (ragged rows, duplicate column names, no key column, a session or file
    /// named twice), or an applicable sidecar is not a valid JSON object. The message names the file and line.
    /// </exception>
    public static BidsDataset Read(string root, string suffix = "T1w", BidsDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        if (!suffix.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"BIDS suffix '{suffix}' must be letters and digits (e.g. T1w)", nameof(suffix));
        }
        options ??= new BidsDatasetOptions();
        CheckSidecarFields(options.SidecarFields);
        string fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DatasetException(fullRoot, "BIDS folder not found");
        }

        string participantsPath = Path.Combine(fullRoot, ParticipantsFileName);
        TextTable? participants = File.Exists(participantsPath) ? ReadParticipants(participantsPath) : null;
        int idIndex = participants?.IndexOf(DatasetColumnNames.ParticipantId) ?? -1;

        var skipped = new List<SkippedSubject>();
        List<BidsImage> images = Discover(fullRoot, suffix).ToList();
        foreach (BidsImage broken in images.Where(i => i.Problem is not null))
        {
            skipped.Add(new SkippedSubject(broken.Subject, broken.Path, null, broken.Problem!));
        }
        images.RemoveAll(i => i.Problem is not null);
        var withImages = images.Select(i => i.Subject).ToHashSet(StringComparer.Ordinal);
        if (participants is not null)
        {
            foreach (TextRecord record in participants.Records.Where(r => !withImages.Contains(r.Fields[idIndex])))
            {
                string id = record.Fields[idIndex];
                // A subject whose only images are broken links is reported once, for the links.
                if (!skipped.Any(s => s.SubjectId == id))
                {
                    skipped.Add(new SkippedSubject(id, Path.Combine(fullRoot, id), record.Line, $"no {DescribePattern(suffix)} image"));
                }
            }
        }
        if (skipped.Count > 0 && options.MissingFiles == MissingFilePolicy.Error)
        {
            throw new DatasetException(participants?.Path ?? fullRoot,
                $"{skipped.Count} missing or unusable {suffix} images: {MLNetLog.Shorten(skipped.Select(s => s.ToString()))}" +
                " (set MissingFiles = MissingFilePolicy.Skip to leave them out)",
                subjectIds: skipped.Select(s => s.SubjectId).Distinct().ToArray());
        }
        if (images.Count == 0)
        {
            throw new DatasetException(fullRoot, $"no {DescribePattern(suffix)} image found", subjectIds: skipped.Select(s => s.SubjectId).Distinct().ToArray());
        }
        images.Sort(CompareImages);

        var listed = participants?.Records.Select(r => r.Fields[idIndex]).ToHashSet(StringComparer.Ordinal);
        string[] unlisted = listed is null ? []
            : images.Select(i => i.Subject).Where(s => !listed.Contains(s)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var columns = new List<DatasetColumn>
        {
            ColumnTyping.Text(DatasetColumnNames.ParticipantId, images.Select(i => i.Subject).ToArray()),
            ColumnTyping.Text(DatasetColumnNames.Session, images.Select(i => i.Session).ToArray()),
            ColumnTyping.Text(DatasetColumnNames.Run, images.Select(i => i.Run).ToArray()),
            ColumnTyping.Text(DatasetColumnNames.Path, images.Select(i => i.Path).ToArray()),
        };
        var (metadata, summary) = BidsMetadata.Join(fullRoot, suffix, images, participants, unlisted, options);
        columns.AddRange(metadata);
        return new BidsDataset(fullRoot, suffix, participants?.Path, columns.ToArray(), skipped.ToArray(), unlisted, summary);
    }

    /// <summary>
    /// Reads the dataset (see <see cref="Read"/>) and returns it as an <see cref="IDataView"/>; the summary is logged on
    /// <paramref name="ml"/>'s channel, skipped and unlisted subjects and the summary's warnings as warnings.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Read"/>.</exception>
    /// <exception cref="DatasetException">As <see cref="Read"/>.</exception>
    public static IDataView Load(MLContext ml, string root, string suffix = "T1w", BidsDatasetOptions? options = null) =>
        Load(ml, root, suffix, options, out _);

    /// <summary>As <see cref="Load(MLContext, string, string, BidsDatasetOptions?)"/>, and gives the summary of what was joined.</summary>
    /// <exception cref="ArgumentException">As <see cref="Read"/>.</exception>
    /// <exception cref="DatasetException">As <see cref="Read"/>.</exception>
    public static IDataView Load(MLContext ml, string root, string suffix, BidsDatasetOptions? options, out BidsDatasetSummary summary)
    {
        ArgumentNullException.ThrowIfNull(ml);
        BidsDataset dataset = Read(root, suffix, options);
        summary = dataset.Summary;
        return dataset.ToDataView(ml);
    }

    /// <summary>
    /// The dataset as an in-memory <see cref="IDataView"/>; logs the summary's lines as information, and skipped and
    /// unlisted subjects and the summary's warnings as warnings.
    /// </summary>
    public IDataView ToDataView(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        foreach (string line in Summary.Lines().Where(l => !l.StartsWith("warning: ", StringComparison.Ordinal)))
        {
            MLNetLog.Info(ml, Channel, line);
        }
        foreach (string warning in Summary.Warnings)
        {
            MLNetLog.Warning(ml, Channel, warning);
        }
        if (_skipped.Length > 0)
        {
            MLNetLog.Warning(ml, Channel, $"{Root}: skipped {_skipped.Length} subjects or images: {MLNetLog.Shorten(_skipped.Select(s => s.ToString()))}");
        }
        if (_unlisted.Length > 0)
        {
            MLNetLog.Warning(ml, Channel, $"{ParticipantsFile}: {_unlisted.Length} subjects with images are not listed (their participant columns are missing): {MLNetLog.Shorten(_unlisted)}");
        }
        return new InMemoryDataView(_columns.Select(c => c.ToInMemoryColumn()));
    }

    private static void CheckSidecarFields(IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields, nameof(BidsDatasetOptions.SidecarFields));
        string[] reserved = [DatasetColumnNames.ParticipantId, DatasetColumnNames.Session, DatasetColumnNames.Run, DatasetColumnNames.Path];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string field in fields)
        {
            if (string.IsNullOrWhiteSpace(field))
            {
                throw new ArgumentException("BidsDatasetOptions.SidecarFields: a field name is empty", nameof(fields));
            }
            if (reserved.Contains(field))
            {
                throw new ArgumentException($"BidsDatasetOptions.SidecarFields: '{field}' is the name of a column BidsDataset adds", nameof(fields));
            }
            if (!seen.Add(field))
            {
                throw new ArgumentException($"BidsDatasetOptions.SidecarFields: '{field}' is named twice", nameof(fields));
            }
        }
    }

    private static string DescribePattern(string suffix) => $"sub-*/[ses-*/]anat/sub-*_{suffix}.nii[.gz]";

    private static TextTable ReadParticipants(string path)
    {
        TextTable table = DelimitedTextReader.Read(path);
        int idIndex = table.IndexOf(DatasetColumnNames.ParticipantId);
        if (idIndex < 0)
        {
            throw new DatasetException(table.Path, $"no '{DatasetColumnNames.ParticipantId}' column; columns: {table.DescribeColumns()}", table.HeaderLine);
        }
        foreach (string reserved in new[] { DatasetColumnNames.Session, DatasetColumnNames.Run, DatasetColumnNames.Path })
        {
            if (table.IndexOf(reserved) >= 0)
            {
                throw new DatasetException(table.Path, $"column '{reserved}' clashes with the column of that name that BidsDataset adds; rename it", table.HeaderLine);
            }
        }
        StudyTable.CheckSubjectIds(table, idIndex);
        return table;
    }

    /// <summary>Every file of the suffix under <c>sub-*/anat</c> and <c>sub-*/ses-*/anat</c>, in no particular order.</summary>
    private static IEnumerable<BidsImage> Discover(string root, string suffix)
    {
        var name = new Regex(
            $@"^sub-(?<sub>[A-Za-z0-9]+)(?:_ses-(?<ses>[A-Za-z0-9]+))?(?:_acq-(?<acq>[A-Za-z0-9]+))?(?:_run-(?<run>[0-9]+))?_{suffix}\.nii(?:\.gz)?$",
            RegexOptions.CultureInvariant);
        foreach (string subjectDir in Directory.EnumerateDirectories(root, "sub-*"))
        {
            string subject = Path.GetFileName(subjectDir);
            var anatDirs = new List<(string Dir, string Session)> { (Path.Combine(subjectDir, "anat"), "") };
            anatDirs.AddRange(Directory.EnumerateDirectories(subjectDir, "ses-*").Select(d => (Path.Combine(d, "anat"), Path.GetFileName(d))));
            foreach ((string anat, string session) in anatDirs.Where(a => Directory.Exists(a.Dir)))
            {
                foreach (string file in Directory.EnumerateFiles(anat, $"sub-*_{suffix}.nii*"))
                {
                    Match m = name.Match(Path.GetFileName(file));
                    if (!m.Success)
                    {
                        continue;
                    }
                    string fileSubject = "sub-" + m.Groups["sub"].Value;
                    string fileSession = m.Groups["ses"].Success ? "ses-" + m.Groups["ses"].Value : "";
                    if (fileSubject != subject || fileSession != session)
                    {
                        string folder = session.Length > 0 ? $"{subject}/{session}" : subject;
                        throw new DatasetException(file, $"the file name's entities ({fileSubject}{(fileSession.Length > 0 ? "_" + fileSession : "")}) disagree with its folder {folder}/anat");
                    }
                    yield return new BidsImage(subject, session,
                        m.Groups["run"].Success ? "run-" + m.Groups["run"].Value : "",
                        m.Groups["acq"].Value, Path.GetFullPath(file), ImageFileCheck.Problem(file));
                }
            }
        }
    }

    private static int CompareImages(BidsImage a, BidsImage b)
    {
        int c = string.CompareOrdinal(a.Subject, b.Subject);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Session, b.Session);
        }
        if (c == 0)
        {
            c = RunNumber(a.Run).CompareTo(RunNumber(b.Run));
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Acquisition, b.Acquisition);
        }
        return c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
    }

    /// <summary>The run index (run-2 before run-10); -1 for no run, so those come first.</summary>
    private static decimal RunNumber(string run) =>
        run.Length == 0 ? -1 : decimal.TryParse(run.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out decimal n) ? n : decimal.MaxValue;
}
