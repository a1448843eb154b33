using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// Reads an image column (and optionally a label) into batches of flat float arrays, in row order, skipping rows
/// whose label is missing. One pass over the data per enumeration.
/// </summary>
internal static class ImageBatches
{
    /// <summary>A batch: <c>Count</c> images of <c>Voxels</c> values each, back to back, and their targets (arrays sized to <c>Count</c>).</summary>
    public sealed record Batch(float[] Images, float[] Targets, int Count, int Voxels);

    public static IEnumerable<Batch> Read(IDataView data, string imageColumn, LabelColumn? label, int batchSize, int voxels)
    {
        var columns = new List<DataViewSchema.Column> { data.Schema[imageColumn] };
        if (label is not null)
        {
            columns.Add(data.Schema[label.Name]);
        }
        using var cursor = data.GetRowCursor(columns);
        var getImage = cursor.GetGetter<VBuffer<float>>(data.Schema[imageColumn]);
        var getTarget = label?.Reader(cursor);
        VBuffer<float> image = default;
        var images = new float[batchSize * voxels];
        var targets = new float[batchSize];
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
            targets[count++] = target;
            if (count == batchSize)
            {
                yield return new Batch(images, targets, count, voxels);
                images = new float[batchSize * voxels];
                targets = new float[batchSize];
                count = 0;
            }
        }
        if (count > 0)
        {
            yield return new Batch(images[..(count * voxels)], targets[..count], count, voxels);
        }
    }

    /// <summary>Mean and standard deviation of the non-missing labels, and their count.</summary>
    public static (double Mean, double StandardDeviation, int Count) LabelStatistics(IDataView data, LabelColumn label)
    {
        using var cursor = data.GetRowCursor([data.Schema[label.Name]]);
        var get = label.Reader(cursor);
        double sum = 0, sumSquares = 0;
        int n = 0;
        while (cursor.MoveNext())
        {
            double v = get();
            if (!double.IsNaN(v))
            {
                sum += v;
                sumSquares += v * v;
                n++;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double variance = n < 2 ? 0 : Math.Max(0, (sumSquares - (n * mean * mean)) / (n - 1));
        return (mean, Math.Sqrt(variance), n);
    }
}
