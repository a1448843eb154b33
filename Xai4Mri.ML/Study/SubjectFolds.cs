using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Study;

/// <summary>
/// A k-fold division of subjects, every fold within one subject of the others and all rows of a subject (sessions,
/// runs) in one fold, optionally stratified; what <c>CrossValidateBySubject</c> hands to ML.NET's own cross-validation.
/// </summary>
/// <remarks>
/// <para>
/// ML.NET's <c>CrossValidate</c> with a <c>samplingKeyColumnName</c> hashes each key into [0, 1) and cuts that range
/// into equal parts, so fold sizes are those of a random draw: 9/15/8/8 subjects of 40 in 4 folds. Here they are
/// dealt instead: N subjects give N mod k folds of ⌈N/k⌉ and the others ⌊N/k⌋.
/// </para>
/// <para>
/// Subjects are sorted, grouped by stratum (one stratum without <see cref="SubjectFoldsOptions.StratifyBy"/>),
/// shuffled within each stratum with a fixed-sequence generator seeded by <see cref="SubjectFoldsOptions.Seed"/>, the
/// strata laid end to end in shuffled order, and the sequence dealt round-robin to the folds. So each stratum of m
/// subjects has ⌊m/k⌋ or ⌈m/k⌉ of them in every fold. A subject's stratum is taken from its first row with a value.
/// </para>
/// </remarks>
public sealed class SubjectFolds
{
    private readonly string[][] _folds;
    private readonly Dictionary<string, int> _foldOf;

    /// <summary>Folds with the given subjects in each (e.g. chosen by hand, or the sites of a leave-site-out design).</summary>
    /// <exception cref="ArgumentException">Fewer than two folds, an empty fold, an empty id, or an id in more than one fold.</exception>
    public SubjectFolds(IEnumerable<IEnumerable<string>> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        _foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new SortedSet<string>(StringComparer.Ordinal);
        var list = new List<string[]>();
        foreach (IEnumerable<string> fold in folds)
        {
            ArgumentNullException.ThrowIfNull(fold, nameof(folds));
            var ids = new List<string>();
            int seen = 0;
            foreach (string id in fold)
            {
                seen++;
                if (string.IsNullOrEmpty(id))
                {
                    throw new ArgumentException($"an empty subject id in fold {list.Count + 1}", nameof(folds));
                }
                if (_foldOf.TryAdd(id, list.Count))
                {
                    ids.Add(id);
                }
                else
                {
                    duplicates.Add(id);
                }
            }
            if (seen == 0)
            {
                throw new ArgumentException($"fold {list.Count + 1} has no subjects", nameof(folds));
            }
            ids.Sort(StringComparer.Ordinal);
            list.Add(ids.ToArray());
        }
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"subjects appear in more than one fold: {MLNetLog.Shorten(duplicates)}", nameof(folds));
        }
        if (list.Count < 2)
        {
            throw new ArgumentException($"cross-validation needs at least 2 folds, not {list.Count}", nameof(folds));
        }
        _folds = list.ToArray();
    }

    /// <summary>The number of folds.</summary>
    public int Count => _folds.Length;

    /// <summary>The number of subjects in all folds.</summary>
    public int SubjectCount => _foldOf.Count;

    /// <summary>The subject ids of fold <paramref name="fold"/> (0-based, as ML.NET numbers its folds), sorted (ordinal).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fold"/> is not in [0, <see cref="Count"/>).</exception>
    public IReadOnlyList<string> Fold(int fold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fold, _folds.Length);
        return _folds[fold];
    }

    /// <summary>The fold holding <paramref name="subjectId"/> (0-based), or null when it is in none.</summary>
    public int? FoldOf(string subjectId) => _foldOf.TryGetValue(subjectId, out int fold) ? fold : null;

    /// <summary>Deals the given subjects (duplicates count once) to folds without stratification.</summary>
    /// <exception cref="ArgumentException">An empty id, fewer than two folds, or fewer subjects than folds.</exception>
    public static SubjectFolds Create(IEnumerable<string> subjectIds, int numberOfFolds = 5, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string id in subjectIds)
        {
            ids.Add(string.IsNullOrEmpty(id) ? throw new ArgumentException("a subject id is empty", nameof(subjectIds)) : id);
        }
        return Deal([[.. ids]], numberOfFolds, seed);
    }

    /// <summary>Deals the subjects of a data view (several rows of one subject count once) to folds, optionally stratified by a column.</summary>
    /// <param name="data">Rows with a text subject column (e.g. from <see cref="StudyTable"/> or <see cref="BidsDataset"/>).</param>
    /// <param name="options">Folds, seed, subject and stratification columns; null for the defaults.</param>
    /// <exception cref="ArgumentException">Fewer than two folds or fewer subjects than folds, or a column is missing or of an unsupported type.</exception>
    /// <exception cref="DatasetException">A row has an empty subject id.</exception>
    public static SubjectFolds Create(IDataView data, SubjectFoldsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SubjectFoldsOptions();
        DataViewSchema.Column subject = SubjectSplit.SubjectColumnOf(data.Schema, options.SubjectColumn);
        if (options.StratifyBy is null)
        {
            return Create(SubjectSplit.ReadSubjects(data, subject), options.NumberOfFolds, options.Seed);
        }
        List<string[]> strata = SubjectSplit.Strata(data, subject, options.StratifyBy, options.StratifyBins, nameof(options));
        return Deal(strata, options.NumberOfFolds, options.Seed);
    }

    /// <summary>
    /// <paramref name="data"/> with a Single column <paramref name="foldColumn"/> holding each row's fold index: the
    /// sampling key under which ML.NET's cross-validation gives exactly these folds (it scales a numeric key to
    /// [0, 1] by its minimum and maximum, so fold f of k lands at f / (k − 1), inside the f-th of its k equal ranges).
    /// </summary>
    /// <exception cref="DatasetException">Subjects in the data are in no fold (the message lists them), or a fold has no rows in the data.</exception>
    internal IDataView WithFoldColumn(IDataView data, string? subjectColumn, string foldColumn)
    {
        DataViewSchema.Column subject = SubjectSplit.SubjectColumnOf(data.Schema, subjectColumn);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var rows = new int[_folds.Length];
        foreach (string id in SubjectSplit.ReadSubjects(data, subject))
        {
            if (_foldOf.TryGetValue(id, out int fold))
            {
                rows[fold]++;
            }
            else
            {
                unknown.Add(id);
            }
        }
        if (unknown.Count > 0)
        {
            throw new DatasetException(null, $"{unknown.Count} subjects in column '{subject.Name}' are in no fold: {MLNetLog.Shorten(unknown)}",
                subjectIds: unknown.ToArray());
        }
        int[] empty = Enumerable.Range(0, rows.Length).Where(f => rows[f] == 0).ToArray();
        if (empty.Length > 0)
        {
            throw new DatasetException(null, $"no subject of fold{(empty.Length > 1 ? "s" : "")} {string.Join(", ", empty)} is in column '{subject.Name}' of the data; every fold needs test rows");
        }
        return new SubjectFoldDataView(data, subject, _foldOf, foldColumn);
    }

    private static SubjectFolds Deal(List<string[]> strata, int numberOfFolds, int seed)
    {
        int subjects = strata.Sum(s => s.Length);
        if (numberOfFolds < 2)
        {
            throw new ArgumentException($"cross-validation needs at least 2 folds, not {numberOfFolds}", nameof(numberOfFolds));
        }
        if (subjects < numberOfFolds)
        {
            throw new ArgumentException($"{subjects} subjects cannot fill {numberOfFolds} folds: use at most {subjects} folds", nameof(numberOfFolds));
        }
        var random = new SplitRandom(seed);
        foreach (string[] stratum in strata)
        {
            random.Shuffle(stratum);
        }
        random.Shuffle(strata);
        var folds = Enumerable.Range(0, numberOfFolds).Select(_ => new List<string>()).ToArray();
        int next = 0;
        foreach (string id in strata.SelectMany(s => s))
        {
            folds[next].Add(id);
            next = (next + 1) % numberOfFolds;
        }
        return new SubjectFolds(folds);
    }
}
