using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Analysis;

/// <summary>The transfer-analysis report's figures as PNG files, drawn with ScottPlot in the style of the learning-curve plot.</summary>
/// <remarks>
/// Every method checks its input and the path before drawing, renders at the asked size and writes the PNG to a
/// temporary name in the target folder that is then moved into place, so a reader (or a half-finished report folder)
/// never holds a truncated image. Text uses DejaVu Sans where installed, as <see cref="LearningCurvePlot"/> does, and
/// the colours are matplotlib's, which readers of the Python tools know.
/// </remarks>
internal static class ReportFigures
{
    /// <summary>The default image width in pixels.</summary>
    internal const int DefaultWidth = 800;

    /// <summary>The default image height in pixels.</summary>
    internal const int DefaultHeight = 500;

    // matplotlib's tab10: one colour per class, site or feature set; more than ten cycle.
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();
    private static readonly Color BarColor = Color.FromHex("#1f77b4");
    private static readonly Color ChanceColor = Color.FromHex("#555555");

    /// <summary>Writes the distribution of the label: a histogram of a regression target or a bar chart of class counts.</summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="labelName">The label column, shown on the axis and in the title.</param>
    /// <param name="values">The regression targets (NaN: a missing label, counted in the title); null for classes.</param>
    /// <param name="classes">Each class and its count; null for a regression target.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="ArgumentException">Both or neither of <paramref name="values"/> and <paramref name="classes"/>, no finite
    /// value, an infinite value, no class, a negative count, an empty label name, or a bad path.</exception>
    internal static void LabelDistribution(string path, string labelName, float[]? values, IReadOnlyList<ValueCount>? classes, int width = DefaultWidth, int height = DefaultHeight)
    {
        string target = CheckTarget(path, width, height);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelName);
        if ((values is null) == (classes is null))
        {
            throw new ArgumentException("give either values (a regression target) or classes (class counts), not both or neither", values is null ? nameof(values) : nameof(classes));
        }
        using var plot = NewPlot();
        if (values is not null)
        {
            DrawValueHistogram(plot, labelName, values);
        }
        else
        {
            DrawClassCounts(plot, labelName, classes!);
        }
        Save(target, plot, width, height);
    }

    /// <summary>Writes the intensity histograms, one line per group on their shared bins, with a legend.</summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="histograms">The groups' histograms, e.g. from <c>IntensityHistograms.Compute</c>; all on the same bins.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="ArgumentException">No histogram, no bins, bin centres and densities of different lengths, groups on
    /// different bins, a non-finite value, or a bad path.</exception>
    internal static void IntensityHistograms(string path, IReadOnlyList<IntensityHistogram> histograms, int width = DefaultWidth, int height = DefaultHeight)
    {
        string target = CheckTarget(path, width, height);
        ArgumentNullException.ThrowIfNull(histograms);
        CheckHistograms(histograms);

        using var plot = NewPlot();
        for (int g = 0; g < histograms.Count; g++)
        {
            var h = histograms[g];
            var line = plot.Add.ScatterLine(h.BinCentres, h.Density, Palette.GetColor(g));
            line.LineWidth = 2;
            line.LegendText = h.Group;
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Non-zero voxel intensities ({histograms.Count} {Plural(histograms.Count, "group", "groups")})"));
        plot.XLabel("intensity");
        plot.YLabel("density");
        // Densities start at 0: no margin below, so the curves stand on the axis.
        plot.Axes.Margins(left: 0.02, right: 0.02, bottom: 0, top: 0.1);
        // Outside the axes: with several sites the curves fill the whole data area.
        plot.ShowLegend(Edge.Right);
        Save(target, plot, width, height);
    }

    /// <summary>Writes the 2-D embedding as a scatter: coloured by value with a colour bar (regression) or by class with a legend.</summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="embedding">The coordinates and labels, e.g. from <c>Pca.Project</c>.</param>
    /// <param name="labelName">The label column, shown on the colour bar or legend and in the title.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="ArgumentException">No points, coordinate and label arrays of different lengths, not two variance ratios,
    /// a non-finite coordinate or label, a class label that is not an index into the class names, or a bad path.</exception>
    internal static void Embedding(string path, FeatureEmbedding embedding, string labelName, int width = DefaultWidth, int height = DefaultHeight)
    {
        string target = CheckTarget(path, width, height);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelName);
        CheckEmbedding(embedding);

        using var plot = NewPlot();
        if (embedding.ClassNames is null)
        {
            DrawByValue(plot, embedding, labelName);
        }
        else
        {
            DrawByClass(plot, embedding);
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Features by {labelName} ({embedding.Method}, N = {embedding.X.Length})"));
        plot.XLabel(AxisLabel(embedding, 0));
        plot.YLabel(AxisLabel(embedding, 1));
        Save(target, plot, width, height);
    }

    /// <summary>Writes a probe's cross-validated score against the number of training subjects: one line with a ±1 SD band per feature set, and chance.</summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="points">The scores; one curve per <see cref="LearningCurvePoint.Features"/> value, in order of first appearance.</param>
    /// <param name="metric">The metric's name for the y axis, e.g. <c>"MAE"</c> or <c>"accuracy"</c>.</param>
    /// <param name="chance">The score without features, drawn as a dashed line; NaN draws none.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="ArgumentException">No point, N below 1, a non-finite mean, a negative or infinite standard deviation, two
    /// points for the same N and features, an infinite chance level, an empty metric name, or a bad path.</exception>
    internal static void ProbeLearningCurve(string path, IReadOnlyList<LearningCurvePoint> points, string metric, double chance, int width = DefaultWidth, int height = DefaultHeight)
    {
        string target = CheckTarget(path, width, height);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        CheckPoints(points);
        if (double.IsInfinity(chance))
        {
            throw new ArgumentException($"chance is {chance.ToString(CultureInfo.InvariantCulture)}; give a finite level or NaN for none", nameof(chance));
        }

        using var plot = NewPlot();
        var series = points.GroupBy(p => p.Features, StringComparer.Ordinal).Select(g => g.OrderBy(p => p.N).ToList()).ToList();
        // Bands first and lines on top: a later series' band would otherwise veil the earlier lines.
        for (int s = 0; s < series.Count; s++)
        {
            // A single fold has no spread (NaN): no band at that point.
            double[] xs = [.. series[s].Select(p => (double)p.N)];
            double[] low = [.. series[s].Select(p => p.Mean - Spread(p))], high = [.. series[s].Select(p => p.Mean + Spread(p))];
            var band = plot.Add.FillY(xs, low, high);
            band.FillColor = Palette.GetColor(s).WithAlpha(0.15);
            band.LineWidth = 0;
        }
        for (int s = 0; s < series.Count; s++)
        {
            double[] xs = [.. series[s].Select(p => (double)p.N)], ys = [.. series[s].Select(p => p.Mean)];
            var line = plot.Add.Scatter(xs, ys, Palette.GetColor(s));
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = series[s][0].Features;
        }
        if (!double.IsNaN(chance))
        {
            var line = plot.Add.HorizontalLine(chance, 1.5f, ChanceColor, LinePattern.Dashed);
            line.LegendText = $"chance ({Number(chance)})";
        }
        plot.Title($"Probe {metric} by number of training subjects");
        plot.XLabel("subjects (N)");
        // Mean and SD over the cross-validation folds; the short form fits the axis at small sizes.
        plot.YLabel($"{metric} (mean ± SD)");
        // Learning curves are measured at a few chosen N: tick exactly those, unless there are too many to label.
        double[] sizes = [.. points.Select(p => (double)p.N).Distinct().Order()];
        if (sizes.Length <= 12)
        {
            plot.Axes.Bottom.SetTicks(sizes, [.. sizes.Select(v => v.ToString("0", CultureInfo.InvariantCulture))]);
        }
        else
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        }
        plot.Axes.Margins(horizontal: 0.05, vertical: 0.12);
        // Below the axes: curves and the chance line can run anywhere inside, and feature-set names are long.
        plot.ShowLegend(Edge.Bottom);
        Save(target, plot, width, height);
    }

    private static void DrawValueHistogram(Plot plot, string labelName, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsInfinity(values[i]))
            {
                throw new ArgumentException($"values[{i}] is {values[i].ToString(CultureInfo.InvariantCulture)}; a label must be finite (NaN marks a missing one)", nameof(values));
            }
        }
        double[] finite = [.. values.Where(v => !float.IsNaN(v)).Select(v => (double)v)];
        if (finite.Length == 0)
        {
            throw new ArgumentException($"values has no label to plot ({values.Length} values, all NaN or none)", nameof(values));
        }
        double min = finite.Min(), max = finite.Max();
        if (max == min)
        {
            // One value: a single bar of width 1 centred on it.
            (min, max) = (min - 0.5, max + 0.5);
        }
        // About √N bins, as pandas' and many plotting defaults suggest for small samples, within 5..40 so the shape shows.
        int bins = Math.Clamp((int)Math.Ceiling(Math.Sqrt(finite.Length)), 5, 40);
        double width = (max - min) / bins;
        var counts = new int[bins];
        foreach (double v in finite)
        {
            counts[Math.Min((int)((v - min) / width), bins - 1)]++;
        }
        Bar[] histogram = [.. counts.Select((c, b) => new Bar
        {
            Position = min + ((b + 0.5) * width),
            Value = c,
            Size = width,
            FillColor = BarColor,
            LineColor = Colors.White,
            LineWidth = 1,
        })];
        plot.Add.Bars(histogram);
        int missing = values.Length - finite.Length;
        plot.Title(missing == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{labelName} (N = {finite.Length})")
            : string.Create(CultureInfo.InvariantCulture, $"{labelName} (N = {finite.Length}, {missing} missing)"));
        plot.XLabel(labelName);
        plot.YLabel("subjects");
        plot.Axes.Left.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Margins(left: 0.02, right: 0.02, bottom: 0, top: 0.08);
    }

    private static void DrawClassCounts(Plot plot, string labelName, IReadOnlyList<ValueCount> classes)
    {
        if (classes.Count == 0)
        {
            throw new ArgumentException("classes is empty; give at least one class and its count", nameof(classes));
        }
        for (int c = 0; c < classes.Count; c++)
        {
            if (classes[c] is null || classes[c].Value is null || classes[c].Count < 0)
            {
                throw new ArgumentException($"classes[{c}] needs a name and a count of at least 0", nameof(classes));
            }
        }
        Bar[] counts = [.. classes.Select((c, i) => new Bar
        {
            Position = i,
            Value = c.Count,
            FillColor = Palette.GetColor(i),
            LineWidth = 0,
            // The count on top of each bar: the numbers matter more than the heights when classes are small.
            Label = c.Count.ToString(CultureInfo.InvariantCulture),
        })];
        var bars = plot.Add.Bars(counts);
        bars.ValueLabelStyle.FontSize = 14;
        bars.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.SetTicks([.. classes.Select((_, i) => (double)i)], [.. classes.Select(c => c.Value)]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{labelName} (N = {classes.Sum(c => c.Count)})"));
        plot.XLabel(labelName);
        plot.YLabel("subjects");
        // Room above the tallest bar for its count.
        plot.Axes.Margins(left: 0.05, right: 0.05, bottom: 0, top: 0.15);
    }

    private static void DrawByValue(Plot plot, FeatureEmbedding embedding, string labelName)
    {
        IColormap colormap = new ScottPlot.Colormaps.Viridis();
        float min = embedding.Labels.Min(), max = embedding.Labels.Max();
        double span = max > min ? max - min : 1;
        for (int i = 0; i < embedding.X.Length; i++)
        {
            var marker = plot.Add.Marker(embedding.X[i], embedding.Y[i], MarkerShape.FilledCircle, 9, colormap.GetColor((embedding.Labels[i] - min) / span));
            marker.MarkerLineColor = Colors.Black.WithAlpha(0.4);
            marker.MarkerLineWidth = 0.5f;
        }
        var bar = plot.Add.ColorBar(new ColorAxis(colormap, min, max > min ? max : min + 1));
        bar.Label = labelName;
        bar.LabelStyle.FontSize = 14;
        bar.LabelStyle.FontName = FontName;
        bar.Axis.TickLabelStyle.FontName = FontName;
    }

    private static void DrawByClass(Plot plot, FeatureEmbedding embedding)
    {
        var names = embedding.ClassNames!;
        for (int c = 0; c < names.Count; c++)
        {
            var members = Enumerable.Range(0, embedding.X.Length).Where(i => embedding.Labels[i] == c).ToList();
            if (members.Count == 0)
            {
                continue;
            }
            double[] xs = [.. members.Select(i => embedding.X[i])], ys = [.. members.Select(i => embedding.Y[i])];
            var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 9, Palette.GetColor(c));
            markers.LegendText = string.Create(CultureInfo.InvariantCulture, $"{names[c]} ({members.Count})");
        }
        // Outside the axes, where it can hide no point.
        plot.ShowLegend(Edge.Right);
    }

    /// <summary>"PC1 (43 % of variance)" for PCA; the method's name and number otherwise.</summary>
    private static string AxisLabel(FeatureEmbedding embedding, int component)
    {
        string name = embedding.Method == Pca.MethodName ? $"PC{component + 1}" : $"{embedding.Method} {component + 1}";
        return string.Create(CultureInfo.InvariantCulture, $"{name} ({embedding.ExplainedVarianceRatio[component] * 100:0.#} % of variance)");
    }

    private static void CheckHistograms(IReadOnlyList<IntensityHistogram> histograms)
    {
        if (histograms.Count == 0)
        {
            throw new ArgumentException("histograms is empty; give at least one group", nameof(histograms));
        }
        double[] bins = histograms[0]?.BinCentres ?? throw new ArgumentException("histograms[0] is null or has no bin centres", nameof(histograms));
        for (int g = 0; g < histograms.Count; g++)
        {
            var h = histograms[g];
            if (h?.BinCentres is null || h.Density is null || h.Group is null)
            {
                throw new ArgumentException($"histograms[{g}] needs a group, bin centres and densities", nameof(histograms));
            }
            if (h.BinCentres.Length == 0)
            {
                throw new ArgumentException($"histograms[{g}] ('{h.Group}') has no bins", nameof(histograms));
            }
            if (h.BinCentres.Length != h.Density.Length)
            {
                throw new ArgumentException($"histograms[{g}] ('{h.Group}') has {h.BinCentres.Length} bin centres but {h.Density.Length} densities", nameof(histograms));
            }
            if (!h.BinCentres.AsSpan().SequenceEqual(bins))
            {
                throw new ArgumentException($"histograms[{g}] ('{h.Group}') is not on the bins of histograms[0]; the groups must share bins", nameof(histograms));
            }
            if (!h.BinCentres.All(double.IsFinite) || !h.Density.All(double.IsFinite))
            {
                throw new ArgumentException($"histograms[{g}] ('{h.Group}') has a value that is not finite", nameof(histograms));
            }
        }
    }

    private static void CheckEmbedding(FeatureEmbedding e)
    {
        if (e.X is null || e.Y is null || e.Labels is null || e.ExplainedVarianceRatio is null || e.Method is null)
        {
            throw new ArgumentException("embedding needs a method, X, Y, labels and explained-variance ratios", "embedding");
        }
        if (e.X.Length == 0)
        {
            throw new ArgumentException("embedding has no points", "embedding");
        }
        if (e.Y.Length != e.X.Length || e.Labels.Length != e.X.Length)
        {
            throw new ArgumentException($"embedding has {e.X.Length} X, {e.Y.Length} Y and {e.Labels.Length} label values; they must match", "embedding");
        }
        if (e.ExplainedVarianceRatio.Length != 2)
        {
            throw new ArgumentException($"embedding has {e.ExplainedVarianceRatio.Length} explained-variance ratios; a 2-D embedding has 2", "embedding");
        }
        for (int i = 0; i < e.X.Length; i++)
        {
            if (!double.IsFinite(e.X[i]) || !double.IsFinite(e.Y[i]) || !float.IsFinite(e.Labels[i]))
            {
                throw new ArgumentException($"embedding point {i} has a coordinate or label that is not finite", "embedding");
            }
            if (e.ClassNames is not null && (e.Labels[i] != MathF.Floor(e.Labels[i]) || e.Labels[i] < 0 || e.Labels[i] >= e.ClassNames.Count))
            {
                throw new ArgumentException(
                    $"embedding label {i} is {e.Labels[i].ToString(CultureInfo.InvariantCulture)}, not a class index in 0..{e.ClassNames.Count - 1}", "embedding");
            }
        }
    }

    private static void CheckPoints(IReadOnlyList<LearningCurvePoint> points)
    {
        if (points.Count == 0)
        {
            throw new ArgumentException("points is empty; give at least one score", nameof(points));
        }
        var seen = new HashSet<(int, string)>();
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i] ?? throw new ArgumentException($"points[{i}] is null", nameof(points));
            if (p.Features is null)
            {
                throw new ArgumentException($"points[{i}] names no features", nameof(points));
            }
            if (p.N < 1)
            {
                throw new ArgumentException($"points[{i}] has N = {p.N}; N counts subjects and must be at least 1", nameof(points));
            }
            if (!double.IsFinite(p.Mean))
            {
                throw new ArgumentException($"points[{i}] ('{p.Features}', N = {p.N}) has mean {p.Mean.ToString(CultureInfo.InvariantCulture)}; it must be finite", nameof(points));
            }
            if (p.StandardDeviation < 0 || double.IsInfinity(p.StandardDeviation))
            {
                throw new ArgumentException($"points[{i}] ('{p.Features}', N = {p.N}) has standard deviation {p.StandardDeviation.ToString(CultureInfo.InvariantCulture)}", nameof(points));
            }
            if (!seen.Add((p.N, p.Features)))
            {
                throw new ArgumentException($"points[{i}] repeats N = {p.N} for '{p.Features}'", nameof(points));
            }
        }
    }

    /// <summary>Checks the path and size before any drawing; returns the full path.</summary>
    private static string CheckTarget(string path, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"'{path}' is a folder, not a PNG file path", nameof(path));
        }
        string folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot save the figure to '{path}': the folder '{folder}' does not exist");
        }
        return fullPath;
    }

    // Panels and value labels that plot.Font.Set does not reach are given this name themselves.
    private static string FontName => LearningCurvePlot.SansFont ?? Fonts.Default;

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Legend.FontName = FontName;
        return plot;
    }

    /// <summary>Renders and writes the PNG beside its final name, then moves it into place.</summary>
    private static void Save(string fullPath, Plot plot, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, png);
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static double Spread(LearningCurvePoint p) => double.IsNaN(p.StandardDeviation) ? 0 : p.StandardDeviation;

    // Three significant digits, but no exponent for large values (an MAE of 1234.5 reads "1235", not "1.23E+03").
    private static string Number(double v) => v.ToString(Math.Abs(v) >= 100 ? "0" : "G3", CultureInfo.InvariantCulture);

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    /// <summary>The value range and colour map of the by-value scatter, for its colour bar (ScottPlot's markers have no colour axis of their own).</summary>
    private sealed class ColorAxis(IColormap colormap, double min, double max) : IHasColorAxis
    {
        public IColormap Colormap { get; } = colormap;

        public ScottPlot.Range GetRange() => new(min, max);
    }
}
