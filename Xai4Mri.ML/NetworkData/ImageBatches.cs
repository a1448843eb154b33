using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Reads an image column (and optionally a label) into batches of flat float arrays, in row order, skipping rows
/// whose label is missing. One pass over the data per enumeration.
/// </summary>
internal static class ImageBatches
{
    /// <summary>
    /// A batch: <c>Count</c> images of <c>Voxels</c> values each, back to back, their targets (arrays sized to
    /// <c>Count</c>) and, when a group column was asked for, each row's group as text.
    /// </summary>
    public sealed record Batch(float[] Images, float[] Targets, int Count, int Voxels, string[]? Groups = null);

    public static IEnumerable<Batch> Read(IDataView data, string imageColumn, LabelColumn? label, int batchSize, int voxels, string? groupColumn = null)
    {
        var columns = new List<DataViewSchema.Column> { data.Schema[imageColumn] };
        if (label is not null)
        {
            columns.Add(data.Schema[label.Name]);
        }
        if (groupColumn is not null)
        {
            columns.Add(data.Schema[groupColumn]);
        }
        using var cursor = data.GetRowCursor(columns);
        var getImage = cursor.GetGetter<VBuffer<float>>(data.Schema[imageColumn]);
        var getTarget = label?.Reader(cursor);
        var getGroup = groupColumn is null ? null : GroupReader(cursor, data.Schema[groupColumn]);
        VBuffer<float> image = default;
        var images = new float[batchSize * voxels];
        var targets = new float[batchSize];
        var groups = groupColumn is null ? null : new string[batchSize];
        int count = 0;
        while (cursor.MoveNext())
        {
            float target = getTarget?.Invoke() ?? 0;
            if (float.IsNaN(target))
            {
                continue;
            }
            getImage(ref image);
            if (image.Length != voxels)
            {
                throw new InvalidOperationException($"image column '{imageColumn}' row {cursor.Position} has {image.Length} values, the network expects {voxels}");
            }
            image.CopyTo(images.AsSpan(count * voxels, voxels));
            if (groups is not null)
            {
                groups[count] = getGroup!();
            }
            targets[count++] = target;
            if (count == batchSize)
            {
                yield return new Batch(images, targets, count, voxels, groups);
                images = new float[batchSize * voxels];
                targets = new float[batchSize];
                groups = groupColumn is null ? null : new string[batchSize];
                count = 0;
            }
        }
        if (count > 0)
        {
            yield return new Batch(images[..(count * voxels)], targets[..count], count, voxels, groups?[..count]);
        }
    }

    /// <summary>Mean and standard deviation of the non-missing labels of <paramref name="data"/>, and their count.</summary>
    public static (double Mean, double StandardDeviation, int Count) LabelStatistics(IDataView data, LabelColumn label)
    {
        using var cursor = data.GetRowCursor([data.Schema[label.Name]]);
        var get = label.Reader(cursor);
        var values = new List<double>();
        while (cursor.MoveNext())
        {
            double v = get();
            if (!double.IsNaN(v))
            {
                values.Add(v);
            }
        }
        return LabelStatistics(values);
    }

    /// <summary>Mean and sample standard deviation (divisor n − 1, two passes) of target values, and their count; 0 for an empty list.</summary>
    public static (double Mean, double StandardDeviation, int Count) LabelStatistics(IReadOnlyList<double> values)
    {
        int n = values.Count;
        double mean = n == 0 ? 0 : values.Average();
        double sd = n < 2 ? 0 : Math.Sqrt(values.Sum(t => (t - mean) * (t - mean)) / (n - 1));
        return (mean, sd, n);
    }

    /// <summary>A text, number or Boolean column's value as text (sites are usually text, sometimes numbers).</summary>
    private static Func<string> GroupReader(DataViewRow row, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case TextDataViewType:
            {
                var get = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () => { ReadOnlyMemory<char> v = default; get(ref v); return v.ToString(); };
            }
            case NumberDataViewType n when n == NumberDataViewType.Single:
            {
                var get = row.GetGetter<float>(column);
                return () => { float v = 0; get(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
            }
            case NumberDataViewType n when n == NumberDataViewType.Int32:
            {
                var get = row.GetGetter<int>(column);
                return () => { int v = 0; get(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
            }
            case BooleanDataViewType:
            {
                var get = row.GetGetter<bool>(column);
                return () => { bool v = false; get(ref v); return v ? "True" : "False"; };
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(column), $"group column '{column.Name}' is {column.Type}; use a text, Single, Int32 or Boolean column");
        }
    }
}
