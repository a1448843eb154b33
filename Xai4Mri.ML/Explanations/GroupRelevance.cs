using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// Group relevance maps: the mean relevance over a cohort in the conformed box, or per class or label range, read in
/// one pass over an explained data view (ExplainMriNet's output), one row at a time.
/// </summary>
public static class GroupRelevance
{
    /// <summary>
    /// The mean map of each group, in the order groups first appear (ranges in the order of <paramref name="edges"/>).
    /// </summary>
    /// <param name="data">Rows with a relevance column (e.g. <c>ml.Transforms.ExplainMriNet</c>'s output).</param>
    /// <param name="relevanceColumnName">The relevance column, a known-size vector of Single.</param>
    /// <param name="groupColumnName">
    /// Null: one group "all". A key column (class names from its key values), Boolean or text column: one group per
    /// value. A numeric column: one group per range of <paramref name="edges"/>.
    /// </param>
    /// <param name="edges">For a numeric group column, increasing range bounds e₀ &lt; e₁ &lt; …: groups [e₀, e₁), …, the last closed; rows outside are left out.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, edges are missing for a numeric column, given for another kind, or not increasing, or no row falls into any group.</exception>
    public static IReadOnlyList<GroupRelevanceMap> Compute(IDataView data, string relevanceColumnName = "Relevance", string? groupColumnName = null, IReadOnlyList<double>? edges = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var relevance = data.Schema.GetColumnOrNull(relevanceColumnName)
            ?? throw new ArgumentException($"relevance column '{relevanceColumnName}' not found (add ml.Transforms.ExplainMriNet(\"{relevanceColumnName}\", ...))", nameof(relevanceColumnName));
        if (relevance.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException($"relevance column '{relevanceColumnName}' is {relevance.Type}, not a known-size vector of Single", nameof(relevanceColumnName));
        }
        var group = groupColumnName is null ? (DataViewSchema.Column?)null
            : data.Schema.GetColumnOrNull(groupColumnName) ?? throw new ArgumentException($"group column '{groupColumnName}' not found", nameof(groupColumnName));
        bool numeric = group?.Type is NumberDataViewType;
        if (numeric != edges is not null)
        {
            throw new ArgumentException(numeric
                ? $"group column '{groupColumnName}' is numeric: give the label ranges' edges"
                : "edges (label ranges) apply to a numeric group column only", nameof(edges));
        }
        if (edges is not null && (edges.Count < 2 || edges.Zip(edges.Skip(1)).Any(p => !(p.Second > p.First)) || edges.Any(e => !double.IsFinite(e))))
        {
            throw new ArgumentException($"edges must be at least two finite, increasing values, got [{string.Join(", ", edges)}]", nameof(edges));
        }
        int size = vector.Size;
        var sums = new Dictionary<string, (double[] Sum, int Count)>(StringComparer.Ordinal);
        var order = new List<string>();
        var columns = group is { } g ? new[] { relevance, g } : [relevance];
        using var cursor = data.GetRowCursor(columns);
        var getMap = cursor.GetGetter<VBuffer<float>>(relevance);
        var getGroup = group is { } gc ? GroupReader(cursor, gc, edges) : () => "all";
        VBuffer<float> map = default;
        while (cursor.MoveNext())
        {
            string? name = getGroup();
            if (name is null)
            {
                continue;
            }
            getMap(ref map);
            if (!sums.TryGetValue(name, out var entry))
            {
                entry = (new double[size], 0);
                order.Add(name);
            }
            var values = map.GetValues();
            if (map.IsDense)
            {
                for (int i = 0; i < size; i++)
                {
                    entry.Sum[i] += values[i];
                }
            }
            else
            {
                var indices = map.GetIndices();
                for (int i = 0; i < indices.Length; i++)
                {
                    entry.Sum[indices[i]] += values[i];
                }
            }
            sums[name] = (entry.Sum, entry.Count + 1);
        }
        if (order.Count == 0)
        {
            throw new ArgumentException($"no row falls into a group{(edges is null ? "" : $" (edges {string.Join(", ", edges)})")}", nameof(data));
        }
        if (edges is not null)
        {
            // Ranges in their own order, not in the order rows happen to come.
            order = [.. Ranges(edges).Where(sums.ContainsKey)];
        }
        return [.. order.Select(name =>
        {
            var (sum, count) = sums[name];
            return new GroupRelevanceMap { Group = name, Count = count, Mean = [.. sum.Select(s => (float)(s / count))], Shape = [.. vector.Dimensions] };
        })];
    }

    private static IEnumerable<string> Ranges(IReadOnlyList<double> edges) =>
        Enumerable.Range(0, edges.Count - 1).Select(i => string.Create(CultureInfo.InvariantCulture, $"[{edges[i]}, {edges[i + 1]}{(i == edges.Count - 2 ? "]" : ")")}"));

    /// <summary>The row's group name, or null when a numeric value lies outside every range.</summary>
    private static Func<string?> GroupReader(DataViewRowCursor cursor, DataViewSchema.Column column, IReadOnlyList<double>? edges)
    {
        switch (column.Type)
        {
            case KeyDataViewType:
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                bool named = column.Annotations.Schema.GetColumnOrNull("KeyValues") is not null;
                if (named)
                {
                    column.GetKeyValues(ref names);
                }
                var keys = names.DenseValues().Select(n => n.ToString()).ToArray();
                var get = cursor.GetGetter<uint>(column);
                return () =>
                {
                    uint key = 0;
                    get(ref key);
                    return key == 0 ? null : key <= keys.Length ? keys[key - 1] : key.ToString(CultureInfo.InvariantCulture);
                };
            }
            case BooleanDataViewType:
            {
                var get = cursor.GetGetter<bool>(column);
                return () => { bool v = false; get(ref v); return v ? "true" : "false"; };
            }
            case TextDataViewType:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return () => { ReadOnlyMemory<char> v = default; get(ref v); return v.ToString(); };
            }
            case NumberDataViewType n when n == NumberDataViewType.Single || n == NumberDataViewType.Double:
            {
                var names = Ranges(edges!).ToArray();
                Func<double> read = n == NumberDataViewType.Single
                    ? Getter<float>(cursor, column, v => v)
                    : Getter<double>(cursor, column, v => v);
                return () =>
                {
                    double v = read();
                    for (int i = 0; i < edges!.Count - 1; i++)
                    {
                        if (v >= edges[i] && (v < edges[i + 1] || (i == edges.Count - 2 && v == edges[i + 1])))
                        {
                            return names[i];
                        }
                    }
                    return null;
                };
            }
            default:
                throw new ArgumentException($"group column '{column.Name}' is {column.Type}; use a key, Boolean, text, Single or Double column", nameof(column));
        }
    }

    private static Func<double> Getter<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert)
    {
        var get = cursor.GetGetter<T>(column);
        return () => { T v = default!; get(ref v); return convert(v); };
    }
}
