using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// Joins a BIDS dataset's metadata to its images, one level at a time (participants.tsv, sessions.tsv, scans.tsv,
/// sidecars), then merges the levels into columns: where a name is at several levels, each row takes the most
/// specific level's non-missing value. Collects the summary and the warnings on the way.
/// </summary>
internal sealed class BidsMetadata
{
    private const string SessionIdColumn = "session_id";
    private const string FilenameColumn = "filename";
    private static readonly string[] Reserved = [DatasetColumnNames.Session, DatasetColumnNames.Run, DatasetColumnNames.Path];
    private readonly string _root;
    private readonly string _suffix;
    private readonly IReadOnlyList<BidsImage> _images;
    private readonly List<Level> _levels = [];
    private readonly List<BidsTableSummary> _tables = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _sidecarFiles = [];
    private readonly Dictionary<string, List<int>> _rowsOfSubject;

    private BidsMetadata(string root, string suffix, IReadOnlyList<BidsImage> images)
    {
        _root = root;
        _suffix = suffix;
        _images = images;
        // Rows by subject, so that a cohort of tens of thousands of scans joins in linear time.
        _rowsOfSubject = Enumerable.Range(0, images.Count).GroupBy(r => images[r].Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>The metadata columns (after the entity and Path columns) and the summary; <paramref name="images"/> are sorted, row i of every column is image i.</summary>
    /// <exception cref="DatasetException">A sessions or scans table or a sidecar is malformed (the message names the file and line).</exception>
    public static (List<DatasetColumn> Columns, BidsDatasetSummary Summary) Join(string root, string suffix, IReadOnlyList<BidsImage> images,
        TextTable? participants, string[] unlisted, BidsDatasetOptions options)
    {
        var join = new BidsMetadata(root, suffix, images);
        if (participants is not null)
        {
            join.AddParticipants(participants);
        }
        if (options.JoinSessions)
        {
            join.AddSessions();
        }
        if (options.JoinScans)
        {
            join.AddScans();
        }
        if (options.SidecarFields.Count > 0)
        {
            join.AddSidecars(options.SidecarFields);
        }
        var (columns, joined) = join.Merge();
        var imagesWith = join._levels.ToDictionary(l => l.Source, l => l.Matched.Count(m => m));
        var summary = new BidsDatasetSummary(root, suffix, images.Count, images.Select(i => i.Subject).Distinct().Count(), join._tables,
            join._sidecarFiles.Order(StringComparer.Ordinal).ToArray(), imagesWith, joined, unlisted, join._warnings);
        return (columns, summary);
    }

    private IEnumerable<string> Subjects => _rowsOfSubject.Keys.Order(StringComparer.Ordinal);

    private Level NewLevel(BidsMetadataSource source)
    {
        var level = new Level(source, _images.Count);
        _levels.Add(level);
        return level;
    }

    private void AddParticipants(TextTable table)
    {
        Level level = NewLevel(BidsMetadataSource.Participants);
        int idIndex = table.IndexOf(DatasetColumnNames.ParticipantId);
        int[] columns = Enumerable.Range(0, table.Header.Length).Where(c => c != idIndex).ToArray();
        var unmatched = new List<string>();
        int matched = 0;
        foreach (TextRecord record in table.Records)
        {
            string id = record.Fields[idIndex];
            if (_rowsOfSubject.TryGetValue(id, out List<int>? rows))
            {
                matched++;
            }
            else
            {
                unmatched.Add($"line {record.Line}: {id}: no {_suffix} image");
            }
            level.Take(table, record, columns, rows ?? []);
        }
        level.Declare(table, columns);
        _tables.Add(new BidsTableSummary(BidsMetadataSource.Participants, table.Path, table.Records.Count, matched, 0, unmatched));
    }

    /// <summary>sub-X/sub-X_sessions.tsv of every subject with images, joined on (subject, session_id).</summary>
    private void AddSessions()
    {
        Level level = NewLevel(BidsMetadataSource.Sessions);
        foreach (string subject in Subjects)
        {
            string path = Path.Combine(_root, subject, $"{subject}_sessions.tsv");
            if (!File.Exists(path))
            {
                continue;
            }
            TextTable table = DelimitedTextReader.Read(path);
            int key = KeyColumn(table, SessionIdColumn, "the session of each row (ses-<label>)");
            int[] columns = DataColumns(table, key);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var unmatched = new List<string>();
            int matched = 0;
            foreach (TextRecord record in table.Records)
            {
                string raw = record.Fields[key].Trim();
                if (raw.Length == 0)
                {
                    throw new DatasetException(path, $"empty '{SessionIdColumn}'", record.Line);
                }
                // pybids compares session labels without the prefix, so "1" and "ses-1" name the same session.
                string session = raw.StartsWith("ses-", StringComparison.Ordinal) ? raw : "ses-" + raw;
                if (seen.TryGetValue(session, out int first))
                {
                    throw new DatasetException(path, $"session '{session}' appears twice (lines {first} and {record.Line}); a session has one row", record.Line);
                }
                seen.Add(session, record.Line);
                List<int> rows = _rowsOfSubject[subject].Where(r => _images[r].Session == session).ToList();
                if (rows.Count > 0)
                {
                    matched++;
                }
                else
                {
                    unmatched.Add($"line {record.Line}: {session}: no {_suffix} image in that session");
                }
                level.Take(table, record, columns, rows);
            }
            level.Declare(table, columns);
            _tables.Add(new BidsTableSummary(BidsMetadataSource.Sessions, path, table.Records.Count, matched, 0, unmatched));
        }
    }

    /// <summary>The subject-level and session-level scans.tsv of every subject with images, joined on the file each row names.</summary>
    private void AddScans()
    {
        Level level = NewLevel(BidsMetadataSource.Scans);
        var rowOfPath = Enumerable.Range(0, _images.Count).ToDictionary(r => _images[r].Path, StringComparer.Ordinal);
        var namedAt = new Dictionary<int, string>();
        foreach (string subject in Subjects)
        {
            string subjectDir = Path.Combine(_root, subject);
            var places = new List<(string Dir, string Name)> { (subjectDir, $"{subject}_scans.tsv") };
            places.AddRange(_rowsOfSubject[subject].Select(r => _images[r].Session).Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal)
                .Select(s => (Path.Combine(subjectDir, s), $"{subject}_{s}_scans.tsv")));
            foreach ((string dir, string name) in places)
            {
                string path = Path.Combine(dir, name);
                if (File.Exists(path))
                {
                    AddScansTable(level, path, dir, rowOfPath, namedAt);
                }
            }
        }
    }

    private void AddScansTable(Level level, string path, string dir, Dictionary<string, int> rowOfPath, Dictionary<int, string> namedAt)
    {
        TextTable table = DelimitedTextReader.Read(path);
        int key = KeyColumn(table, FilenameColumn, "the file of each row, relative to the table's folder");
        int[] columns = DataColumns(table, key);
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        var missing = new List<string>();
        int matched = 0;
        foreach (TextRecord record in table.Records)
        {
            string raw = record.Fields[key].Trim();
            if (raw.Length == 0)
            {
                throw new DatasetException(path, $"empty '{FilenameColumn}'", record.Line);
            }
            var rows = new List<int>();
            string? full = ResolveScan(dir, raw);
            if (full is null)
            {
                missing.Add($"line {record.Line}: {raw}");
                unmatched.Add($"line {record.Line}: {raw}: no such file");
            }
            else
            {
                if (lineOf.TryGetValue(full, out int first))
                {
                    throw new DatasetException(path, $"'{raw}' names the same file as line {first}; a file has one row", record.Line);
                }
                lineOf.Add(full, record.Line);
                if (rowOfPath.TryGetValue(full, out int row))
                {
                    if (namedAt.TryGetValue(row, out string? previous))
                    {
                        throw new DatasetException(path, $"'{raw}' is also described by {previous}; a file has one scans.tsv row", record.Line);
                    }
                    namedAt.Add(row, $"{path} line {record.Line}");
                    rows.Add(row);
                    matched++;
                }
                else
                {
                    unmatched.Add($"line {record.Line}: {raw}: not a {_suffix} image of the dataset");
                }
            }
            level.Take(table, record, columns, rows);
        }
        level.Declare(table, columns);
        if (missing.Count > 0)
        {
            _warnings.Add($"{path}: {missing.Count} rows name files that do not exist and are ignored: {MLNetLog.Shorten(missing, 5)}");
        }
        _tables.Add(new BidsTableSummary(BidsMetadataSource.Scans, path, table.Records.Count, matched, missing.Count, unmatched));
    }

    /// <summary>
    /// The file a scans.tsv row names, relative to the table's folder; a bare file name (no datatype folder, as many
    /// datasets write it) is also looked for in the folder's subfolders (<c>anat/</c>, <c>func/</c>, …). Null when none exists.
    /// </summary>
    private static string? ResolveScan(string dir, string raw)
    {
        string relative = raw.Replace('\\', '/');
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(dir, relative));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
        if (File.Exists(full) || Directory.Exists(full))
        {
            return full;
        }
        if (relative.Contains('/'))
        {
            return null;
        }
        return Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal)
            .Select(sub => Path.Combine(sub, relative))
            .FirstOrDefault(candidate => File.Exists(candidate) || Directory.Exists(candidate));
    }

    private void AddSidecars(IReadOnlyList<string> fields)
    {
        Level level = NewLevel(BidsMetadataSource.Sidecar);
        var sidecars = new BidsSidecars(_root, _suffix, fields);
        foreach (string field in fields)
        {
            level.Declare(field);
        }
        for (int row = 0; row < _images.Count; row++)
        {
            var (values, applicable) = sidecars.For(_images[row]);
            if (applicable)
            {
                level.Matched[row] = true;
            }
            foreach (string field in fields)
            {
                if (values.TryGetValue(field, out var value))
                {
                    level.Set(field, row, value.Text, value.Source);
                }
            }
        }
        _sidecarFiles.AddRange(sidecars.FilesRead);
        _warnings.AddRange(sidecars.Warnings);
    }

    private static int KeyColumn(TextTable table, string name, string what)
    {
        int key = table.IndexOf(name);
        if (key < 0)
        {
            throw new DatasetException(table.Path, $"no '{name}' column ({what}); columns: {table.DescribeColumns()}", table.HeaderLine);
        }
        foreach (string reserved in Reserved.Where(r => table.IndexOf(r) >= 0))
        {
            throw new DatasetException(table.Path, $"column '{reserved}' clashes with the column of that name that BidsDataset adds; rename it", table.HeaderLine);
        }
        return key;
    }

    /// <summary>The columns joined from a sessions or scans table: all but its key and a participant_id (the subject is known from the folder).</summary>
    private static int[] DataColumns(TextTable table, int key) =>
        Enumerable.Range(0, table.Header.Length).Where(c => c != key && table.Header[c] != DatasetColumnNames.ParticipantId).ToArray();

    /// <summary>One column per name, in the order names first appear (participants, sessions, scans, sidecars); see the class remarks for the rule.</summary>
    private (List<DatasetColumn> Columns, List<BidsJoinedColumn> Joined) Merge()
    {
        var columns = new List<DatasetColumn>();
        var joined = new List<BidsJoinedColumn>();
        var names = _levels.SelectMany(l => l.Names).Distinct(StringComparer.Ordinal).ToList();
        foreach (string name in names)
        {
            var having = _levels.Where(l => l.Has(name)).ToList();
            var values = new string[_images.Count];
            int withValue = 0;
            int differing = 0;
            for (int row = 0; row < values.Length; row++)
            {
                string? raw = null;
                string? chosen = null;
                bool differs = false;
                foreach (Level level in having)
                {
                    if (level.Value(name, row) is not { } v)
                    {
                        continue;
                    }
                    raw = v;
                    if (!ColumnTyping.IsMissing(v))
                    {
                        differs |= chosen is not null && !SameValue(chosen, v);
                        chosen = v;
                    }
                }
                values[row] = chosen ?? raw ?? "";
                withValue += chosen is null ? 0 : 1;
                differing += differs ? 1 : 0;
            }
            bool anyNumber = having.Any(l => l.Evidence(name).AnyNumber);
            ColumnEvidence? text = having.Select(l => l.Evidence(name)).FirstOrDefault(e => e.FirstText is not null);
            bool numeric = anyNumber && text is null;
            if (anyNumber && text is not null)
            {
                _warnings.Add($"column '{name}' is text: '{text.FirstText}' ({text.FirstTextWhere}) is not a number, though other values are " +
                    "(values with units such as '30 gestational_weeks' stay text; write the number alone to get a number column)");
            }
            if (differing > 0)
            {
                string levels = string.Join(", ", having.Select(l => BidsDatasetSummary.FileName(l.Source)));
                _warnings.Add($"column '{name}' is in {levels}: {differing} images have different values at two levels; the most specific level's value is used");
            }
            columns.Add(ColumnTyping.Build(name, values, numeric));
            joined.Add(new BidsJoinedColumn(name, having.Select(l => l.Source).ToArray(), numeric ? DatasetColumnKind.Number : DatasetColumnKind.Text, withValue, differing));
        }
        return (columns, joined);
    }

    /// <summary>Equal as numbers when both parse (30 and 30.0), else as trimmed text.</summary>
    private static bool SameValue(string a, string b) =>
        ColumnTyping.TryParseNumber(a, out float x) && ColumnTyping.TryParseNumber(b, out float y) ? x == y : a.Trim() == b.Trim();

    /// <summary>One level's values for every image row (null where the level has no row or no such column) and its typing evidence.</summary>
    private sealed class Level
    {
        private readonly Dictionary<string, string?[]> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ColumnEvidence> _evidence = new(StringComparer.Ordinal);
        private readonly int _rows;

        public Level(BidsMetadataSource source, int rows)
        {
            Source = source;
            _rows = rows;
            Matched = new bool[rows];
        }

        public BidsMetadataSource Source { get; }

        /// <summary>Column names in the order they first appeared.</summary>
        public List<string> Names { get; } = [];

        /// <summary>Whether each image row has a row (or a sidecar) at this level.</summary>
        public bool[] Matched { get; }

        public bool Has(string name) => _values.ContainsKey(name);

        public string? Value(string name, int row) => _values[name][row];

        public ColumnEvidence Evidence(string name) => _evidence[name];

        public void Declare(string name)
        {
            if (_values.TryAdd(name, new string?[_rows]))
            {
                Names.Add(name);
                _evidence[name] = new ColumnEvidence();
            }
        }

        public void Declare(TextTable table, int[] columns)
        {
            foreach (int c in columns)
            {
                Declare(table.Header[c]);
            }
        }

        /// <summary>Types over every record of the table, matched or not, so that which images exist never changes a column's type.</summary>
        public void Take(TextTable table, TextRecord record, int[] columns, List<int> rows)
        {
            foreach (int c in columns)
            {
                string name = table.Header[c];
                Declare(name);
                _evidence[name].Observe(record.Fields[c], $"{table.Path} line {record.Line}");
                foreach (int row in rows)
                {
                    _values[name][row] = record.Fields[c];
                }
            }
            foreach (int row in rows)
            {
                Matched[row] = true;
            }
        }

        public void Set(string name, int row, string value, string where)
        {
            _values[name][row] = value;
            _evidence[name].Observe(value, where);
        }
    }
}
