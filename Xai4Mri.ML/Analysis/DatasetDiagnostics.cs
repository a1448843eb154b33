using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Analysis;

/// <summary>Checks a dataset before transfer learning: the label's distribution and every image's geometry, intensities, background, NaNs, duplicates and size against the model's input box.</summary>
/// <remarks>
/// Images are what the loader prepared (<see cref="DatasetDiagnosticsOptions.Prepared"/>: from its cache, after
/// LoadNifti's reorientation and resampling), or else they go through the loader's first steps here (NaN/Inf set to
/// 0, reoriented, brain box found), so that the diagnostics see what <c>LoadNifti</c> sees.
/// </remarks>
internal static class DatasetDiagnostics
{
    /// <summary>Reads the label column and every file of the path column and summarises them.</summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="data">One row per subject.</param>
    /// <param name="labelColumnName">
    /// Single → regression statistics; Boolean, key (names from its KeyValues annotation) or text → class counts.
    /// </param>
    /// <param name="pathColumnName">Text column with one image file per row.</param>
    /// <param name="options">Subject column, model box, thresholds, parallelism; null for the defaults.</param>
    /// <returns>The immutable report, with plain-language warnings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of a type that cannot be used; the message names it.</exception>
    /// <exception cref="ArgumentException">The data has no rows, or an option is invalid.</exception>
    /// <exception cref="ImageFormatException">A file cannot be read; the message names the subject and the file.</exception>
    public static DatasetReport Compute(MLContext ml, IDataView data, string labelColumnName, string pathColumnName = "Path", DatasetDiagnosticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labelColumnName);
        ArgumentNullException.ThrowIfNull(pathColumnName);
        options ??= new DatasetDiagnosticsOptions();
        CheckOptions(options);
        var pathColumn = data.Schema.GetColumnOrNull(pathColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(pathColumnName), $"path column '{pathColumnName}' not found");
        if (pathColumn.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(pathColumnName), $"path column '{pathColumnName}' must hold text (file paths), not {pathColumn.Type}");
        }
        string? subjectColumn = SubjectColumns.Find(data.Schema, options.SubjectColumnName);
        if (subjectColumn is not null && data.Schema.GetColumnOrNull(subjectColumn)?.Type is not TextDataViewType)
        {
            // A column asked for by name must work; a guessed one that is not text falls back to row numbers, as in the loader.
            subjectColumn = options.SubjectColumnName is null ? null
                : throw new ArgumentOutOfRangeException(nameof(options), $"subject column '{subjectColumn}' not found or not text");
        }
        var rows = ReadRows(data, labelColumnName, pathColumnName, subjectColumn, options.FieldStrengthColumnName, out var labelKind, out var classNames);
        if (rows.Count == 0)
        {
            throw new ArgumentException("the data has no rows", nameof(data));
        }
        var warnings = new List<string>();
        RegressionLabelStatistics? regression = null;
        ClassLabelStatistics? classes = null;
        if (labelKind == LabelValues.Numbers)
        {
            regression = RegressionStatistics(labelColumnName, rows, warnings);
        }
        else
        {
            classes = ClassStatistics(labelColumnName, rows, classNames, options, warnings);
        }
        var images = ImageStatistics(rows, options, warnings);
        return new DatasetReport(rows.Count, regression, classes, images, warnings);
    }

    /// <summary>What the diagnostics summarise: numbers (regression) or class names (Boolean, key or text labels).</summary>
    private enum LabelValues
    {
        Numbers,
        Classes,
    }

    /// <summary>One table row: who, which file, and the label (a number, or a class name; NaN / null when missing).</summary>
    private sealed record Row(string Subject, string Path, double Value, string? Class)
    {
        /// <summary>The scan's field strength in tesla; NaN when the table has none for it.</summary>
        public double FieldStrength { get; init; } = double.NaN;
    }

    private static void CheckOptions(DatasetDiagnosticsOptions o)
    {
        Reorientation.ParseAxisCodes(o.Orientation);
        if (o.ModelInputShape is not { Length: 3 } || o.ModelInputShape.Any(v => v <= 0))
        {
            throw new ArgumentException("ModelInputShape needs three positive sizes", nameof(o));
        }
        if (o.ModelVoxelSize is not { Length: 1 or 3 } || o.ModelVoxelSize.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new ArgumentException("ModelVoxelSize needs one or three positive sizes in mm", nameof(o));
        }
    }

    private static List<Row> ReadRows(IDataView data, string labelName, string pathName, string? subjectName, string fieldStrengthName, out LabelValues kind, out IReadOnlyList<string> classNames)
    {
        var labelColumn = data.Schema.GetColumnOrNull(labelName)
            ?? throw new ArgumentOutOfRangeException(nameof(labelName), $"label column '{labelName}' not found");
        LabelColumn? typed = null;
        if (labelColumn.Type is TextDataViewType)
        {
            kind = LabelValues.Classes;
            classNames = [];
        }
        else
        {
            // Single, Boolean and key labels mean what they mean to the transfer trainers.
            typed = LabelColumn.Inspect(data.Schema, labelName);
            kind = typed.Kind == LabelKind.Regression ? LabelValues.Numbers : LabelValues.Classes;
            classNames = typed.ClassNames;
        }
        var columns = new List<DataViewSchema.Column> { labelColumn, data.Schema[pathName] };
        if (subjectName is not null)
        {
            columns.Add(data.Schema[subjectName]);
        }
        var fieldColumn = data.Schema.GetColumnOrNull(fieldStrengthName);
        if (fieldColumn is { } f && (f.Type is TextDataViewType || f.Type == NumberDataViewType.Single || f.Type == NumberDataViewType.Double))
        {
            columns.Add(f);
        }
        else
        {
            fieldColumn = null;
        }
        var rows = new List<Row>();
        using var cursor = data.GetRowCursor(columns.Distinct());
        var field = fieldColumn is { } fc ? FieldStrengthReader(cursor, fc) : null;
        var path = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[pathName]);
        var subject = subjectName is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[subjectName]);
        var text = typed is null ? cursor.GetGetter<ReadOnlyMemory<char>>(labelColumn) : null;
        var target = typed?.Reader(cursor);
        ReadOnlyMemory<char> p = default, s = default, t = default;
        while (cursor.MoveNext())
        {
            path(ref p);
            string id = $"row {cursor.Position + 1}";
            if (subject is not null)
            {
                subject(ref s);
                id = s.ToString();
            }
            if (text is not null)
            {
                text(ref t);
                string value = t.ToString();
                rows.Add(new Row(id, p.ToString(), double.NaN, value.Length == 0 ? null : value) { FieldStrength = field?.Invoke() ?? double.NaN });
                continue;
            }
            double v = target!();
            string? name = kind == LabelValues.Classes && !double.IsNaN(v) ? classNames[(int)v] : null;
            rows.Add(new Row(id, p.ToString(), v, name) { FieldStrength = field?.Invoke() ?? double.NaN });
        }
        return rows;
    }

    /// <summary>The field strength of the cursor's row in tesla; NaN when missing, not a number, or not positive.</summary>
    private static Func<double> FieldStrengthReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        static double Tesla(double v) => v > 0 && double.IsFinite(v) ? v : double.NaN;
        if (column.Type is TextDataViewType)
        {
            var text = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> t = default;
            return () =>
            {
                text(ref t);
                return double.TryParse(t.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? Tesla(v) : double.NaN;
            };
        }
        if (column.Type == NumberDataViewType.Double)
        {
            var number = cursor.GetGetter<double>(column);
            double d = 0;
            return () =>
            {
                number(ref d);
                return Tesla(d);
            };
        }
        var single = cursor.GetGetter<float>(column);
        float s = 0;
        return () =>
        {
            single(ref s);
            return Tesla(s);
        };
    }

    private static RegressionLabelStatistics RegressionStatistics(string column, List<Row> rows, List<string> warnings)
    {
        var present = rows.Where(r => !double.IsNaN(r.Value)).ToList();
        int n = present.Count;
        var values = present.Select(r => (float)r.Value).ToArray();
        double mean = n == 0 ? double.NaN : present.Average(r => r.Value);
        double m2 = 0, m3 = 0;
        foreach (var r in present)
        {
            double d = r.Value - mean;
            m2 += d * d;
            m3 += d * d * d;
        }
        double sd = n < 2 ? double.NaN : Math.Sqrt(m2 / (n - 1));
        m2 /= n;
        m3 /= n;
        // Adjusted Fisher–Pearson G1 (pandas' skew); a constant label has no defined skewness.
        double skew = n < 3 || m2 == 0 ? double.NaN : Math.Sqrt((double)n * (n - 1)) / (n - 2) * m3 / Math.Pow(m2, 1.5);
        // Percentile reorders the array but keeps its values, so one copy serves all three quantiles.
        double q1 = IntensityScaling.Percentile(values, 25);
        double median = IntensityScaling.Percentile(values, 50);
        double q3 = IntensityScaling.Percentile(values, 75);
        double lower = q1 - (1.5 * (q3 - q1)), upper = q3 + (1.5 * (q3 - q1));
        var outliers = present.Where(r => r.Value < lower || r.Value > upper).Select(r => new LabelOutlier(r.Subject, r.Value)).ToList();
        int missing = rows.Count - n;
        if (missing > 0)
        {
            warnings.Add($"{missing} of {rows.Count} rows have no {column} (NaN): {List(rows.Where(r => double.IsNaN(r.Value)).Select(r => r.Subject))}");
        }
        if (outliers.Count > 0)
        {
            warnings.Add($"{outliers.Count} {column} {Plural(outliers.Count, "value lies", "values lie")} outside the Tukey fences [{Num(lower)}, {Num(upper)}]: {List(outliers.Select(o => $"{o.Subject} ({Num(o.Value)})"))}");
        }
        return new RegressionLabelStatistics(column, n, missing, mean, sd,
            n == 0 ? double.NaN : present.Min(r => r.Value), n == 0 ? double.NaN : present.Max(r => r.Value),
            median, skew, lower, upper, outliers);
    }

    private static ClassLabelStatistics ClassStatistics(string column, List<Row> rows, IReadOnlyList<string> classNames, DatasetDiagnosticsOptions options, List<string> warnings)
    {
        var counts = rows.Where(r => r.Class is not null).GroupBy(r => r.Class!).ToDictionary(g => g.Key, g => g.Count());
        // Boolean and key labels have a fixed class list (unused classes count 0); text has the values it holds.
        IEnumerable<string> order = classNames.Count > 0 ? classNames : counts.Keys.OrderBy(k => k, StringComparer.Ordinal);
        var classes = order.Select(c => new ValueCount(c, counts.GetValueOrDefault(c))).ToList();
        int missing = rows.Count(r => r.Class is null);
        if (missing > 0)
        {
            warnings.Add($"{missing} of {rows.Count} rows have no {column}: {List(rows.Where(r => r.Class is null).Select(r => r.Subject))}");
        }
        if (classes.Count == 0)
        {
            warnings.Add($"{column} has no labelled rows");
            return new ClassLabelStatistics(column, 0, missing, classes, double.NaN, "", 0, true);
        }
        var smallest = classes.MinBy(c => c.Count)!;
        var largest = classes.MaxBy(c => c.Count)!;
        double ratio = smallest.Count == 0 ? double.PositiveInfinity : (double)largest.Count / smallest.Count;
        bool imbalanced = ratio >= options.ImbalanceRatioLimit || smallest.Count < options.SmallestClassLimit;
        if (classes.Count == 1)
        {
            warnings.Add($"{column} has a single class '{smallest.Value}'; classification needs at least two");
        }
        if (ratio >= options.ImbalanceRatioLimit)
        {
            warnings.Add($"{column} is imbalanced: largest class '{largest.Value}' has {largest.Count} rows, smallest '{smallest.Value}' {smallest.Count} (ratio {Num(ratio)}, warned from {Num(options.ImbalanceRatioLimit)})");
        }
        if (smallest.Count < options.SmallestClassLimit)
        {
            warnings.Add($"smallest {column} class '{smallest.Value}' has {smallest.Count} {Plural(smallest.Count, "row", "rows")} (fewer than {options.SmallestClassLimit}); its metrics will be noisy");
        }
        return new ClassLabelStatistics(column, rows.Count - missing, missing, classes, ratio, smallest.Value, smallest.Count, imbalanced);
    }

    private static ImageSetDiagnostics ImageStatistics(List<Row> rows, DatasetDiagnosticsOptions options, List<string> warnings)
    {
        var settings = new VolumePipeline(options.AllowFourD, 0, [new ReorientStep(options.Orientation)], new PlaceInBox(options.ModelInputShape, true, 0), null);
        string orientation = options.Orientation.ToUpperInvariant();
        double[] boxMm = [.. Enumerable.Range(0, 3).Select(a => options.ModelInputShape[a] * options.ModelVoxelSize[options.ModelVoxelSize.Length == 1 ? 0 : a])];
        var results = new ImageDiagnostics[rows.Count];
        var failures = new ConcurrentBag<(int Row, ImageFormatException Error)>();
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) }, index =>
        {
            var row = rows[index];
            try
            {
                results[index] = Diagnose(row, settings, options.Prepared, boxMm);
            }
            catch (ImageFormatException e)
            {
                failures.Add((index, new ImageFormatException(e.FilePath, $"subject {row.Subject}: {e.Problem}", e)));
            }
        });
        if (!failures.IsEmpty)
        {
            // The first bad row in table order, so that the message does not depend on thread timing.
            var first = failures.OrderBy(f => f.Row).First().Error;
            throw failures.Count == 1 ? first
                : new ImageFormatException(first.FilePath, $"{first.Problem} (and {failures.Count - 1} more unreadable files: {string.Join(", ", failures.OrderBy(f => f.Row).Skip(1).Take(5).Select(f => f.Error.FilePath))})", first);
        }
        var shapes = Histogram(results.Select(r => string.Join('×', r.Shape)));
        var voxelSizes = Histogram(results.Select(r => LoaderFit.VoxelSizeKey(r.VoxelSize)));
        var orientations = Histogram(results.Select(r => r.AxisCodes));
        var types = Histogram(results.Select(r => r.DataType.ToString()));
        var fieldStrengths = Histogram(rows.Where(r => !double.IsNaN(r.FieldStrength)).Select(r => $"{Num(r.FieldStrength)} T"));
        var notExtracted = results.Where(r => !r.LooksBrainExtracted).Select(r => r.Subject).ToList();
        var noHead = results.Where(r => r.HeadCheck.Verdict == HeadCheckVerdict.NoHead && r.Problem is null).ToList();
        var stripped = results.Where(r => r.StrippedByLoader).Select(r => r.Subject).ToList();
        var fovCut = results.Where(r => r.FieldOfViewCut.Count > 0).ToList();
        var biased = results.Where(r => r.BiasFieldStrength >= ImageSetDiagnostics.StrongBiasFieldLimit).ToList();
        var problems = results.Where(r => r.Problem is not null).Select(r => $"{r.Subject}: {r.Problem}").ToList();
        var nonFinite = results.Where(r => r.NonFiniteCount > 0).ToList();
        var duplicates = results.GroupBy(r => r.ContentHash).Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)g.Select(r => r.Subject).ToList()).ToList();
        var cut = results.Where(r => r.WouldCutBrain).ToList();
        if (shapes.Count > 1)
        {
            warnings.Add($"mixed image shapes ({Counts(shapes)})");
        }
        if (voxelSizes.Count > 1)
        {
            warnings.Add($"mixed voxel sizes ({string.Join(", ", voxelSizes.Select(v => $"{v.Value} mm: {v.Count}"))}); set the loader's VoxelSize to resample them to one size");
        }
        if (orientations.Count > 1)
        {
            warnings.Add($"mixed orientations ({Counts(orientations)}); the loader reorients them all to {orientation}");
        }
        if (fieldStrengths.Count > 1)
        {
            warnings.Add($"mixed field strengths ({Counts(fieldStrengths)}); contrast and noise differ between them, so compare the groups (or add the field strength to the model's inputs) before pooling them");
        }
        if (notExtracted.Count > 0)
        {
            warnings.Add($"{notExtracted.Count} {Plural(notExtracted.Count, "image is", "images are")} not brain-extracted (the head check finds scalp and skull around the brain, or more tissue than a brain holds; xai4mri's models expect extracted brains): {List(notExtracted)}; load with NiftiLoaderOptions.BrainExtraction = BrainExtraction.Auto (--brain-extraction auto) to strip them");
        }
        if (problems.Count > 0)
        {
            warnings.Add($"{problems.Count} {Plural(problems.Count, "image holds", "images hold")} nothing to learn from and {Plural(problems.Count, "loads", "load")} as background: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? $" and {problems.Count - 10} more" : "")}");
        }
        if (noHead.Count > 0)
        {
            warnings.Add($"{noHead.Count} {Plural(noHead.Count, "image shows", "images show")} no head or brain to the head check: {List(noHead.Select(r => $"{r.Subject} ({r.HeadCheck.Reason})"))}");
        }
        if (fovCut.Count > 0)
        {
            warnings.Add($"the field of view cuts the brain in {fovCut.Count} {Plural(fovCut.Count, "image", "images")}: {List(fovCut.Select(r => $"{r.Subject} ({string.Join(", ", r.FieldOfViewCut)})"))}");
        }
        if (biased.Count > 0)
        {
            warnings.Add($"{biased.Count} {Plural(biased.Count, "image has", "images have")} a strong intensity non-uniformity (bias-field strength from {Num(ImageSetDiagnostics.StrongBiasFieldLimit)}; correct it, e.g. with N4, before training): {List(biased.Select(r => $"{r.Subject} ({r.BiasFieldStrength:F2})"))}");
        }
        if (nonFinite.Count > 0)
        {
            warnings.Add($"NaN/Inf voxels (the loader sets them to 0) in {nonFinite.Count} {Plural(nonFinite.Count, "image", "images")}: {List(nonFinite.Select(r => $"{r.Subject} ({r.NonFiniteCount} {Plural(r.NonFiniteCount, "voxel", "voxels")})"))}");
        }
        if (duplicates.Count > 0)
        {
            warnings.Add($"{duplicates.Count} {Plural(duplicates.Count, "group", "groups")} of images with identical voxels (the same scan more than once, a leak between training and test): {List(duplicates.Select(g => string.Join(" = ", g)))}");
        }
        if (cut.Count > 0)
        {
            warnings.Add($"{cut.Count} of {results.Length} brains are larger than the model's input box ({string.Join('×', options.ModelInputShape)} voxels, {string.Join('×', boxMm.Select(Num))} mm in {orientation}) and would be cut by pruning: {List(cut.Select(r => $"{r.Subject} ({string.Join('×', r.BrainExtentMm.Select(Num))} mm)"))}");
        }
        return new ImageSetDiagnostics(results, shapes, voxelSizes, orientations, types, Pool(results), notExtracted,
            nonFinite.Select(r => r.Subject).ToList(), duplicates, boxMm, cut.Select(r => r.Subject).ToList(),
            noHead.Select(r => r.Subject).ToList(), stripped, fovCut.Select(r => r.Subject).ToList(), biased.Select(r => r.Subject).ToList(), problems)
        {
            FieldStrengths = fieldStrengths,
        };
    }

    private static ImageDiagnostics Diagnose(Row row, VolumePipeline settings, Func<string, PreparedVolume>? prepared0, double[] boxMm)
    {
        if (row.Path.Length == 0)
        {
            throw new ImageFormatException(row.Path, "no file named in the path column");
        }
        var image = MriImage.Load(row.Path);
        // The loader's own prepared volume when it is known (its cache has it: only the header is read here).
        var prepared = prepared0 is null ? settings.Prepare(image) : prepared0(row.Path);
        // Everything outside the brain box is background, so the box holds every non-zero voxel.
        var nonZero = new List<float>(prepared.BoxData.Length);
        double sum = 0;
        foreach (float v in prepared.BoxData)
        {
            if (v != 0)
            {
                nonZero.Add(v);
                sum += v;
            }
        }
        var span = CollectionsMarshal.AsSpan(nonZero);
        var intensity = nonZero.Count == 0
            ? new IntensityStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)
            : new IntensityStatistics(nonZero.Count, nonZero.Min(), nonZero.Max(), sum / nonZero.Count,
                IntensityScaling.Percentile(span, 1), IntensityScaling.Percentile(span, 99));
        long gridVoxels = (long)prepared.GridShape[0] * prepared.GridShape[1] * prepared.GridShape[2];
        double[] gridVoxelSize = prepared.GridAffine.ColumnNorms();
        double[] extentMm = [.. Enumerable.Range(0, 3).Select(a => prepared.BoxShape[a] * gridVoxelSize[a])];
        // A thousandth of a millimetre absorbs rounding in the affine's column lengths.
        bool cut = Enumerable.Range(0, 3).Any(a => extentMm[a] > boxMm[a] + 1e-3);
        return new ImageDiagnostics(row.Subject, row.Path, [.. image.Shape], image.Affine.ColumnNorms(), image.AxisCodes, image.DataType,
            intensity, gridVoxels == 0 ? 0 : 1 - ((double)nonZero.Count / gridVoxels), prepared.NonFiniteCount,
            ContentHash(prepared), prepared.BoxShape, extentMm, cut, prepared.HeadCheck, prepared.BrainExtracted,
            BiasField.Strength(prepared.ToBoxVolume()),
            FieldOfViewCut.Faces(prepared, head: prepared.HeadCheck.NotBrainExtracted && !prepared.BrainExtracted, settings.Background), prepared.Problem);
    }

    /// <summary>SHA-256 of the grid shape, the brain box and its voxels: the whole reoriented grid, since the rest is background.</summary>
    private static string ContentHash(PreparedVolume p)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int[] geometry = [.. p.GridShape, .. p.BoxStart, .. p.BoxShape];
        sha.AppendData(MemoryMarshal.AsBytes(geometry.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(p.BoxData.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static IntensityStatistics Pool(ImageDiagnostics[] images)
    {
        var with = images.Where(i => i.Intensity.NonZeroCount > 0).Select(i => i.Intensity).ToList();
        if (with.Count == 0)
        {
            return new IntensityStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        long count = with.Sum(i => i.NonZeroCount);
        return new IntensityStatistics(count, with.Min(i => i.Min), with.Max(i => i.Max),
            with.Sum(i => i.Mean * i.NonZeroCount) / count, with.Average(i => i.Percentile1), with.Average(i => i.Percentile99));
    }

    private static List<ValueCount> Histogram(IEnumerable<string> values) =>
        [.. values.GroupBy(v => v).Select(g => new ValueCount(g.Key, g.Count())).OrderByDescending(v => v.Count).ThenBy(v => v.Value, StringComparer.Ordinal)];

    private static string Counts(IEnumerable<ValueCount> counts) => string.Join(", ", counts.Select(c => $"{c.Value}: {c.Count}"));

    /// <summary>The first ten items, then how many more, so that a warning stays readable on large datasets.</summary>
    private static string List(IEnumerable<string> items)
    {
        var all = items.ToList();
        return all.Count <= 10 ? string.Join(", ", all) : $"{string.Join(", ", all.Take(10))} and {all.Count - 10} more";
    }

    private static string Plural(long count, string one, string many) => count == 1 ? one : many;

    internal static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
