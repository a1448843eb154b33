using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Analysis;

/// <summary>Compares the new data's features with source statistics (<see cref="DomainShiftReport"/>).</summary>
internal static class DomainShift
{
    /// <summary>The shift of <paramref name="target"/> (one row per image) from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The feature counts differ (the statistics belong to another layer or network).</exception>
    public static DomainShiftReport Measure(FeatureStatistics source, IReadOnlyList<float[]> target, string reference)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (target.Count == 0 || target[0].Length != source.Mean.Length)
        {
            throw new ArgumentException($"source statistics describe {source.Mean.Length} features, the new data gives {(target.Count == 0 ? 0 : target[0].Length)}", nameof(target));
        }
        var here = FeatureStatistics.Of(source.LayerIndex, source.LayerName, target, "new data");
        double largest = source.StandardDeviation.DefaultIfEmpty(0).Max();
        var active = Enumerable.Range(0, source.Mean.Length).Where(j => source.StandardDeviation[j] > 1e-6 * largest && largest > 0).ToArray();
        if (active.Length == 0)
        {
            return new DomainShiftReport(reference, 0, double.NaN, double.NaN, double.NaN, "unknown (no feature varies on the source)");
        }
        double[] d = [.. active.Select(j => Math.Abs(here.Mean[j] - source.Mean[j]) / source.StandardDeviation[j])];
        double[] ratios = [.. active.Select(j => here.StandardDeviation[j] / source.StandardDeviation[j]).Order()];
        double mean = d.Average();
        string level = mean < 0.2 ? "none" : mean < 0.5 ? "small" : mean < 1 ? "moderate" : "large";
        double median = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
        return new DomainShiftReport(reference, active.Length, mean, d.Count(v => v > 1) / (double)d.Length, median, level);
    }
}
