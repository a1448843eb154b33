using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A division of subjects into train, validation and test — xai4mri's split dictionary — that keeps all rows of a
/// subject (sessions, runs) in one part, saves as JSON and divides any <see cref="IDataView"/> with a subject column.
/// </summary>
/// <remarks>
/// <para>
/// Part sizes follow xai4mri's <c>create_data_split</c>: for N subjects, <c>n_train = round(N · TrainRatio)</c>,
/// <c>n_validation = round(N · ValidationRatio)</c>, <c>n_test = N − n_train − n_validation</c>, where round is
/// round-half-to-even (Python's <c>round</c>, .NET's default); n_validation is capped so that n_test is never
/// negative. Examples at 0.8/0.1/0.1: N = 10 → 8/1/1, N = 23 → 18/2/3, N = 25 → 20/2/3, N = 100 → 80/10/10.
/// </para>
/// <para>
/// Subjects are sorted, grouped by stratum (one stratum without <see cref="SubjectSplitOptions.StratifyBy"/>),
/// shuffled within each stratum with a fixed-sequence generator seeded by <see cref="SubjectSplitOptions.Seed"/>,
/// and the strata laid end to end in shuffled order. Walking that sequence, each subject goes to the part that is
/// furthest behind its share so far. This gives the exact part sizes above, and each stratum a count in every part
/// less than two subjects (usually less than one) from proportional.
/// </para>
/// </remarks>
public sealed class SubjectSplit
{
    private const string TrainKey = "train";
    private const string ValidationKey = "validation";
    private const string TestKey = "test";
    private const double RatioTolerance = 1e-6;

    /// <summary>The stratum of subjects without a value; the NUL keeps it apart from any text value "missing".</summary>
    internal const string MissingStratum = "\0missing";
    private readonly string[] _train;
    private readonly string[] _validation;
    private readonly string[] _test;
    private readonly Dictionary<string, SubjectSplitPart> _partOf;

    /// <summary>A split with the given subjects in each part (e.g. chosen by hand, as xai4mri's <c>split_dict</c> argument).</summary>
    /// <exception cref="ArgumentException">An id is empty or appears more than once (within or across parts).</exception>
    public SubjectSplit(IEnumerable<string> train, IEnumerable<string> validation, IEnumerable<string> test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        _partOf = new Dictionary<string, SubjectSplitPart>(StringComparer.Ordinal);
        var duplicates = new SortedSet<string>(StringComparer.Ordinal);
        _train = Take(train, SubjectSplitPart.Train, duplicates);
        _validation = Take(validation, SubjectSplitPart.Validation, duplicates);
        _test = Take(test, SubjectSplitPart.Test, duplicates);
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"subjects appear more than once in the split: {MLNetLog.Shorten(duplicates)}");
        }
    }

    /// <summary>Training subject ids, sorted (ordinal).</summary>
    public IReadOnlyList<string> Train => _train;

    /// <summary>Validation subject ids, sorted (ordinal).</summary>
    public IReadOnlyList<string> Validation => _validation;

    /// <summary>Test subject ids, sorted (ordinal).</summary>
    public IReadOnlyList<string> Test => _test;

    /// <summary>The number of subjects in all three parts.</summary>
    public int Count => _partOf.Count;

    /// <summary>The part holding <paramref name="subjectId"/>, or null when it is in none.</summary>
    public SubjectSplitPart? PartOf(string subjectId) => _partOf.TryGetValue(subjectId, out SubjectSplitPart part) ? part : null;

    /// <summary>The part sizes for <paramref name="subjectCount"/> subjects under the ratios in <paramref name="options"/>, rounded as described on <see cref="SubjectSplit"/>.</summary>
    /// <exception cref="ArgumentException">A ratio is outside [0, 1] or they do not sum to 1.</exception>
    public static (int Train, int Validation, int Test) PartSizes(int subjectCount, SubjectSplitOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subjectCount);
        options ??= new SubjectSplitOptions();
        CheckRatios(options);
        int train = (int)Math.Round(subjectCount * options.TrainRatio, MidpointRounding.ToEven);
        int validation = Math.Min((int)Math.Round(subjectCount * options.ValidationRatio, MidpointRounding.ToEven), subjectCount - train);
        return (train, validation, subjectCount - train - validation);
    }

    /// <summary>Splits the given subjects (duplicates count once) without stratification.</summary>
    /// <exception cref="ArgumentException">Bad ratios, an empty id, or <see cref="SubjectSplitOptions.StratifyBy"/> set (stratifying needs a data view).</exception>
    public static SubjectSplit Create(IEnumerable<string> subjectIds, SubjectSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        options ??= new SubjectSplitOptions();
        if (options.StratifyBy is not null)
        {
            throw new ArgumentException("stratification needs the column's values: use Create(IDataView, options)", nameof(options));
        }
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string id in subjectIds)
        {
            ids.Add(string.IsNullOrEmpty(id) ? throw new ArgumentException("a subject id is empty", nameof(subjectIds)) : id);
        }
        return Assign([[.. ids]], options);
    }

    /// <summary>Splits the subjects of a data view (several rows of one subject count once), optionally stratified by a column.</summary>
    /// <param name="data">Rows with a text subject column (e.g. from <see cref="StudyTable"/> or <see cref="BidsDataset"/>).</param>
    /// <param name="options">Ratios, seed, subject and stratification columns; null for the defaults.</param>
    /// <exception cref="ArgumentException">Bad ratios, or a column is missing or of an unsupported type.</exception>
    /// <exception cref="DatasetException">A row has an empty subject id.</exception>
    /// <remarks>
    /// A subject's stratum is taken from its first row (in data order) with a non-missing value; rows of the same
    /// subject may differ (age at each session).
    /// </remarks>
    public static SubjectSplit Create(IDataView data, SubjectSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SubjectSplitOptions();
        CheckRatios(options);
        DataViewSchema.Column subject = SubjectColumnOf(data.Schema, options.SubjectColumn);
        if (options.StratifyBy is null)
        {
            return Create(ReadSubjects(data, subject), options);
        }
        List<string[]> strata = Strata(data, subject, options.StratifyBy, options.StratifyBins, nameof(options));
        return Assign(strata, options);
    }

    /// <summary>
    /// Divides <paramref name="data"/> into the rows of the train, validation and test subjects. The parts are lazy
    /// filters over <paramref name="data"/> (nothing is copied); only the subject column is read now, to check that
    /// every subject in the data is in the split, so that the three parts together are exactly the input.
    /// </summary>
    /// <param name="ml">The ML.NET context (the part sizes are logged on its channel).</param>
    /// <param name="data">Rows with a text subject column.</param>
    /// <param name="subjectColumn">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <exception cref="ArgumentException">The subject column is missing or not text.</exception>
    /// <exception cref="DatasetException">Subjects in the data are in no part; the message lists them.</exception>
    /// <remarks>Subjects in the split but not in the data are allowed: a split saved for a whole cohort applies to a subset.</remarks>
    public SubjectSplitViews Apply(MLContext ml, IDataView data, string? subjectColumn = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(data);
        DataViewSchema.Column subject = SubjectColumnOf(data.Schema, subjectColumn);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var rows = new int[3];
        foreach (string id in ReadSubjects(data, subject))
        {
            if (PartOf(id) is SubjectSplitPart part)
            {
                rows[(int)part]++;
            }
            else
            {
                unknown.Add(id);
            }
        }
        if (unknown.Count > 0)
        {
            throw new DatasetException(null, $"{unknown.Count} subjects in column '{subject.Name}' are in no part of the split: {MLNetLog.Shorten(unknown)}",
                subjectIds: unknown.ToArray());
        }
        MLNetLog.Info(ml, nameof(SubjectSplit), $"rows per part: train {rows[0]}, validation {rows[1]}, test {rows[2]}");
        return new SubjectSplitViews(
            new SubjectFilterDataView(data, subject, _train),
            new SubjectFilterDataView(data, subject, _validation),
            new SubjectFilterDataView(data, subject, _test));
    }

    /// <summary>
    /// Writes the split as JSON in xai4mri's split-dictionary shape: <c>{"train": [ids], "validation": [ids], "test": [ids]}</c>.
    /// </summary>
    /// <exception cref="DatasetException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var document = new Dictionary<string, string[]> { [TrainKey] = _train, [ValidationKey] = _validation, [TestKey] = _test };
        // Relaxed escaping keeps ids such as "sub-01+a" readable; the file is data, never embedded in HTML.
        var settings = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        try
        {
            File.WriteAllText(path, JsonSerializer.Serialize(document, settings) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(Path.GetFullPath(path), $"cannot write the split ({e.Message})", inner: e);
        }
    }

    /// <summary>Reads a split written by <see cref="Save"/> (or by hand, or from xai4mri's dictionary dumped with <c>json.dump</c>).</summary>
    /// <exception cref="DatasetException">
    /// The file is missing, not JSON, not an object with exactly the keys train, validation and test holding arrays of
    /// non-empty strings, or an id appears twice.
    /// </exception>
    public static SubjectSplit Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(full, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot read the split ({e.Message})", inner: e);
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException(full, $"expected a JSON object with keys \"{TrainKey}\", \"{ValidationKey}\", \"{TestKey}\", found {root.ValueKind}");
            }
            string[] keys = root.EnumerateObject().Select(p => p.Name).ToArray();
            string[] expected = [TrainKey, ValidationKey, TestKey];
            if (keys.Length != expected.Length || !expected.All(keys.Contains))
            {
                throw new DatasetException(full, $"the keys must be exactly \"{TrainKey}\", \"{ValidationKey}\", \"{TestKey}\" (xai4mri's split dictionary); found {string.Join(", ", keys.Select(k => $"\"{k}\""))}");
            }
            string[] train = Ids(full, root, TrainKey), validation = Ids(full, root, ValidationKey), test = Ids(full, root, TestKey);
            string[] duplicates = train.Concat(validation).Concat(test).GroupBy(id => id, StringComparer.Ordinal)
                .Where(g => g.Count() > 1).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
            if (duplicates.Length > 0)
            {
                throw new DatasetException(full, $"subjects appear more than once in the split: {MLNetLog.Shorten(duplicates)}", subjectIds: duplicates);
            }
            return new SubjectSplit(train, validation, test);
        }
        catch (JsonException e)
        {
            throw new DatasetException(full, $"not valid JSON ({e.Message})", e.LineNumber is long line ? (int)line + 1 : null, inner: e);
        }
    }

    private static string[] Ids(string file, JsonElement root, string key)
    {
        JsonElement array = root.GetProperty(key);
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetException(file, $"\"{key}\" must be an array of subject ids, not {array.ValueKind}");
        }
        return array.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String && e.GetString()!.Length > 0 ? e.GetString()!
                : throw new DatasetException(file, $"\"{key}\" holds {e.GetRawText()}; subject ids must be non-empty strings"))
            .ToArray();
    }

    private string[] Take(IEnumerable<string> ids, SubjectSplitPart part, SortedSet<string> duplicates)
    {
        var list = new List<string>();
        foreach (string id in ids)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException($"an empty subject id in part {part}");
            }
            if (!_partOf.TryAdd(id, part))
            {
                duplicates.Add(id);
                continue;
            }
            list.Add(id);
        }
        list.Sort(StringComparer.Ordinal);
        return list.ToArray();
    }

    private static void CheckRatios(SubjectSplitOptions options)
    {
        double[] ratios = [options.TrainRatio, options.ValidationRatio, options.TestRatio];
        if (ratios.Any(r => !(r >= 0 && r <= 1)) || Math.Abs(ratios.Sum() - 1) > RatioTolerance)
        {
            throw new ArgumentException(
                $"split ratios must lie in [0, 1] and sum to 1; got train {options.TrainRatio}, validation {options.ValidationRatio}, test {options.TestRatio}",
                nameof(options));
        }
    }

    /// <summary>
    /// A split of <paramref name="subjectIds"/> (duplicates count once) into parts of exactly the given sizes, dealt as
    /// <see cref="Create(IEnumerable{string}, SubjectSplitOptions?)"/> deals them; the trainers' validation split uses it
    /// with their own rule for the sizes.
    /// </summary>
    internal static SubjectSplit WithSizes(IEnumerable<string> subjectIds, int train, int validation, int seed)
    {
        var ids = new SortedSet<string>(subjectIds, StringComparer.Ordinal);
        if (train < 0 || validation < 0 || train + validation > ids.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(validation), $"{train} training and {validation} validation subjects of {ids.Count}");
        }
        return Assign([[.. ids]], (train, validation, ids.Count - train - validation), seed);
    }

    /// <summary>Shuffles each stratum, then the order of the strata, and deals the sequence to the parts (see the remarks on the class).</summary>
    private static SubjectSplit Assign(List<string[]> strata, SubjectSplitOptions options) =>
        Assign(strata, PartSizes(strata.Sum(s => s.Length), options), options.Seed);

    private static SubjectSplit Assign(List<string[]> strata, (int Train, int Validation, int Test) sizes, int seed)
    {
        var random = new SplitRandom(seed);
        foreach (string[] stratum in strata)
        {
            random.Shuffle(stratum);
        }
        random.Shuffle(strata);
        string[] sequence = strata.SelectMany(s => s).ToArray();
        int n = sequence.Length;
        int[] targets = [sizes.Train, sizes.Validation, sizes.Test];
        var assigned = new int[3];
        var parts = new List<string>[] { [], [], [] };
        for (int k = 0; k < n; k++)
        {
            // Deficit of part p after k + 1 subjects: targets[p]·(k+1)/n − assigned[p], compared times n to stay in integers.
            int best = -1;
            long bestDeficit = long.MinValue;
            for (int p = 0; p < 3; p++)
            {
                long deficit = (long)targets[p] * (k + 1) - (long)assigned[p] * n;
                if (assigned[p] < targets[p] && deficit > bestDeficit)
                {
                    best = p;
                    bestDeficit = deficit;
                }
            }
            assigned[best]++;
            parts[best].Add(sequence[k]);
        }
        return new SubjectSplit(parts[0], parts[1], parts[2]);
    }

    /// <summary>The text subject column of a schema (the named one, else a default one), or an <see cref="ArgumentException"/> listing the columns.</summary>
    internal static DataViewSchema.Column SubjectColumnOf(DataViewSchema schema, string? name)
    {
        DataViewSchema.Column? column = SubjectColumns.Find(schema, name) is { } found0 ? schema.GetColumnOrNull(found0) : null;
        if (column is not DataViewSchema.Column found)
        {
            string wanted = name is null ? SubjectColumns.Described : $"'{name}'";
            throw new ArgumentException($"no subject column {wanted}; columns: {string.Join(", ", schema.Select(c => c.Name))}");
        }
        if (found.Type is not TextDataViewType)
        {
            throw new ArgumentException($"subject column '{found.Name}' is {found.Type}; subject ids must be text");
        }
        return found;
    }

    /// <summary>The subject id of every row, in data order, reading only that column.</summary>
    internal static IEnumerable<string> ReadSubjects(IDataView data, DataViewSchema.Column subject)
    {
        using DataViewRowCursor cursor = data.GetRowCursor([subject]);
        ValueGetter<ReadOnlyMemory<char>> getter = cursor.GetGetter<ReadOnlyMemory<char>>(subject);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            yield return value.Length > 0 ? value.ToString()
                : throw new DatasetException(null, $"row {cursor.Position + 1} has an empty subject id in column '{subject.Name}'");
        }
    }

    /// <summary>
    /// The subjects grouped by stratum of column <paramref name="stratifyBy"/>, strata and ids in ordinal order: what
    /// both the split and the folds shuffle and deal.
    /// </summary>
    /// <exception cref="ArgumentException">No such column, a column of an unsupported type, or fewer than one bin.</exception>
    internal static List<string[]> Strata(IDataView data, DataViewSchema.Column subject, string stratifyBy, int bins, string optionsName)
    {
        if (bins < 1)
        {
            throw new ArgumentOutOfRangeException(optionsName, $"StratifyBins must be at least 1, not {bins}");
        }
        DataViewSchema.Column stratifier = data.Schema.GetColumnOrNull(stratifyBy)
            ?? throw new ArgumentException($"no column '{stratifyBy}' to stratify by; columns: {string.Join(", ", data.Schema.Select(c => c.Name))}", optionsName);
        return StratumOf(data, subject, stratifier, bins)
            .GroupBy(kv => kv.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray())
            .ToList();
    }

    /// <summary>Each subject's stratum key: the text value, or the quantile bin of a number (<c>q0</c>, <c>q1</c>, …); <see cref="MissingStratum"/> when it has no value.</summary>
    internal static Dictionary<string, string> StratumOf(IDataView data, DataViewSchema.Column subject, DataViewSchema.Column stratifier, int bins)
    {
        Func<DataViewRowCursor, Func<(string? Text, double Number)>> reader = stratifier.Type switch
        {
            TextDataViewType => c => TextReader(c, stratifier),
            BooleanDataViewType => c => Reader<bool>(c, stratifier, v => (v ? "true" : "false", double.NaN)),
            NumberDataViewType t when t.RawType == typeof(float) => c => Reader<float>(c, stratifier, v => (null, v)),
            NumberDataViewType t when t.RawType == typeof(double) => c => Reader<double>(c, stratifier, v => (null, v)),
            _ => throw new ArgumentException($"cannot stratify by '{stratifier.Name}' of type {stratifier.Type}: use a text, Boolean, Single or Double column"),
        };
        bool numeric = stratifier.Type is NumberDataViewType;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        using (DataViewRowCursor cursor = data.GetRowCursor([subject, stratifier]))
        {
            ValueGetter<ReadOnlyMemory<char>> subjectGetter = cursor.GetGetter<ReadOnlyMemory<char>>(subject);
            Func<(string? Text, double Number)> next = reader(cursor);
            ReadOnlyMemory<char> id = default;
            while (cursor.MoveNext())
            {
                subjectGetter(ref id);
                string sid = id.Length > 0 ? id.ToString()
                    : throw new DatasetException(null, $"row {cursor.Position + 1} has an empty subject id in column '{subject.Name}'");
                (string? text, double number) = next();
                bool present = numeric ? !double.IsNaN(number) : !ColumnTyping.IsMissing(text!);
                // First present value wins; a subject seen only with missing values stays missing.
                if (numeric)
                {
                    if (!numbers.TryGetValue(sid, out double known) || (double.IsNaN(known) && present))
                    {
                        numbers[sid] = number;
                    }
                }
                else if (!texts.TryGetValue(sid, out string? known) || (known == MissingStratum && present))
                {
                    texts[sid] = present ? text! : MissingStratum;
                }
            }
        }
        if (!numeric)
        {
            return texts;
        }
        double[] sorted = numbers.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
        // Bin edges at the 1/bins, 2/bins, … quantiles; equal values always share a bin.
        // More bins than values would only repeat edges: each distinct value is its own bin already at one per value.
        bins = Math.Min(bins, Math.Max(sorted.Length, 1));
        double[] edges = Enumerable.Range(1, bins - 1).Where(_ => sorted.Length > 0).Select(i => sorted[(int)((long)i * sorted.Length / bins)]).ToArray();
        return numbers.ToDictionary(kv => kv.Key, kv => double.IsNaN(kv.Value) ? MissingStratum : $"q{edges.Count(e => e <= kv.Value)}", StringComparer.Ordinal);
    }

    private static Func<(string?, double)> TextReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<ReadOnlyMemory<char>> getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        return () =>
        {
            getter(ref value);
            return (value.ToString(), double.NaN);
        };
    }

    private static Func<(string?, double)> Reader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, (string?, double)> convert)
    {
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }
}
