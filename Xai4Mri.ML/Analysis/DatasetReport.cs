using System.Globalization;
using System.Text;

namespace Xai4Mri.ML.Analysis;

/// <summary>What <see cref="DatasetDiagnostics.Compute"/> found: label distribution, image diagnostics and warnings.</summary>
/// <param name="RowCount">Rows (subjects) in the data.</param>
/// <param name="Regression">Label statistics for a Single label; null for a class label.</param>
/// <param name="Classes">Label statistics for a Boolean, key or text label; null for a Single label.</param>
/// <param name="Images">Per-image and pooled image diagnostics.</param>
/// <param name="Warnings">Plain-language findings that need attention, each naming the subjects concerned.</param>
public sealed record DatasetReport(
    int RowCount,
    RegressionLabelStatistics? Regression,
    ClassLabelStatistics? Classes,
    ImageSetDiagnostics Images,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A compact Markdown section: label table, image summary, warnings, and per-image rows that have a finding.</summary>
    /// <param name="headingLevel">Level of the section's heading (1–5), so that a larger report can nest it; subsections are one deeper.</param>
    public string ToMarkdown(int headingLevel = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headingLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headingLevel, 5);
        string h = new('#', headingLevel), sub = new('#', headingLevel + 1);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"{h} Dataset diagnostics").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"N = {RowCount}").AppendLine();
        if (Regression is { } r)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{sub} Label `{r.ColumnName}` (regression)").AppendLine();
            md.AppendLine("| n | missing | mean | sd | min | median | max | skewness | outliers (Tukey) |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Count} | {r.MissingCount} | {N(r.Mean)} | {N(r.StandardDeviation)} | {N(r.Min)} | {N(r.Median)} | {N(r.Max)} | {N(r.Skewness)} | {r.Outliers.Count} |");
            md.AppendLine();
        }
        if (Classes is { } c)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{sub} Label `{c.ColumnName}` (classes)").AppendLine();
            md.AppendLine("| class | n |");
            md.AppendLine("|---|---|");
            foreach (var k in c.Classes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(k.Value)} | {k.Count} |");
            }
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Imbalance ratio (largest / smallest) {N(c.ImbalanceRatio)}; smallest class {Cell(c.SmallestClass)} ({c.SmallestClassCount}); missing {c.MissingCount}.");
            md.AppendLine();
        }
        var im = Images;
        md.AppendLine(CultureInfo.InvariantCulture, $"{sub} Images").AppendLine();
        md.AppendLine("| property | values |");
        md.AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| shapes | {Counts(im.Shapes)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| voxel sizes (mm) | {Counts(im.VoxelSizes)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| orientations | {Counts(im.Orientations)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| data types | {Counts(im.DataTypes)} |");
        if (im.FieldStrengths.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| field strengths | {Counts(im.FieldStrengths)} |");
        }
        var p = im.PooledIntensity;
        md.AppendLine(CultureInfo.InvariantCulture, $"| non-zero intensity | min {N(p.Min)}, p1 {N(p.Percentile1)}, mean {N(p.Mean)}, p99 {N(p.Percentile99)}, max {N(p.Max)} |");
        var (brains, heads, noHead) = im.VerdictCounts;
        md.AppendLine(CultureInfo.InvariantCulture, $"| head check | brain-extracted {brains}, not brain-extracted {heads}, no head {noHead} (stripped by the loader: {im.StrippedByLoader.Count}) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| not brain-extracted | {im.NotBrainExtracted.Count} |");
        var bias = im.Images.Select(i => i.BiasFieldStrength).Where(double.IsFinite).Order().ToList();
        md.AppendLine(CultureInfo.InvariantCulture, $"| bias-field strength | {(bias.Count == 0 ? "–" : $"median {bias[bias.Count / 2]:F3}, max {bias[^1]:F3}")}; from {N(ImageSetDiagnostics.StrongBiasFieldLimit)}: {im.StrongBiasField.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| brain cut by the field of view | {im.CutByFieldOfView.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| nothing to learn from | {im.Problems.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| with NaN/Inf | {im.WithNonFiniteVoxels.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| duplicate groups | {im.DuplicateGroups.Count} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| brain cut by the model box ({string.Join('×', im.ModelBoxMm.Select(N))} mm) | {im.WouldCutBrainCount} |");
        md.AppendLine();
        if (Warnings.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{sub} Warnings").AppendLine();
            foreach (string w in Warnings)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {w}");
            }
            md.AppendLine();
        }
        // Only images with a finding: a table of every subject would drown the report on large datasets.
        var flagged = im.Images.Where(i => !i.LooksBrainExtracted || i.NonFiniteCount > 0 || i.WouldCutBrain || i.StrippedByLoader
            || i.HeadCheck.Verdict == Volumes.HeadCheckVerdict.NoHead || i.FieldOfViewCut.Count > 0
            || i.BiasFieldStrength >= ImageSetDiagnostics.StrongBiasFieldLimit || i.Problem is not null).ToList();
        if (flagged.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{sub} Images with findings").AppendLine();
            md.AppendLine("| subject | shape | voxel (mm) | orientation | background | head check | bias field | NaN/Inf | brain extent (mm) | cut by the box | cut by the field of view | problem |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var i in flagged)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Cell(i.Subject)} | {string.Join('×', i.Shape)} | {string.Join('×', i.VoxelSize.Select(N))} | {i.AxisCodes} | {i.BackgroundFraction:P1} | {Verdict(i)} | {N(i.BiasFieldStrength)} | {i.NonFiniteCount} | {string.Join('×', i.BrainExtentMm.Select(N))} | {(i.WouldCutBrain ? "yes" : "no")} | {(i.FieldOfViewCut.Count == 0 ? "no" : string.Join(", ", i.FieldOfViewCut))} | {Cell(i.Problem ?? "")} |");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Verdict(ImageDiagnostics i) => i.HeadCheck.Verdict switch
    {
        Volumes.HeadCheckVerdict.NotBrainExtracted => i.StrippedByLoader ? "head, stripped by the loader" : "head (not brain-extracted)",
        Volumes.HeadCheckVerdict.NoHead => "no head",
        _ => "brain-extracted",
    };

    private static string N(double v) => double.IsNaN(v) ? "–" : double.IsPositiveInfinity(v) ? "∞" : DatasetDiagnostics.Num(v);

    private static string Counts(IEnumerable<ValueCount> counts) => string.Join(", ", counts.Select(c => $"{Cell(c.Value)} ({c.Count})"));

    // A pipe in a subject id or class name would split the table cell.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
