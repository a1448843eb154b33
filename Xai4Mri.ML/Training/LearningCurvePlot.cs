using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Xai4Mri.ML.Training;

/// <summary>Draws a <see cref="TrainingHistory"/> as a learning-curve PNG with ScottPlot.</summary>
internal static class LearningCurvePlot
{
    // matplotlib's first two colours, so the plot reads like the Keras/xai4mri curves users know.
    private static readonly Color TrainColor = Color.FromHex("#1f77b4");
    private static readonly Color ValidationColor = Color.FromHex("#ff7f0e");
    private static readonly Color BoundaryColor = Color.FromHex("#555555");
    private static readonly Color BestColor = Color.FromHex("#d62728");

    // ScottPlot looks a sans face up by name; with SkiaSharp's Linux natives (no fontconfig) that lookup falls back
    // to DejaVu Serif. Name DejaVu Sans ourselves where it is installed; elsewhere ScottPlot's choice is fine.
    internal static readonly string? SansFont = SkiaSharp.SKFontManager.Default.FontFamilies.Contains("DejaVu Sans") ? "DejaVu Sans" : null;

    /// <summary>Renders the plot and returns the PNG bytes.</summary>
    internal static byte[] Render(TrainingHistory history, int width, int height)
    {
        var epochs = history.Epochs;
        var best = history.Best;
        bool hasMetric = epochs.Any(e => e.MetricName is not null && (Finite(e.TrainMetric) || Finite(e.ValidationMetric)));

        using var loss = new Plot();
        bool logLoss = DrawLoss(loss, epochs, best);
        loss.Title(TitleOf(epochs, best));
        if (history.PhaseBoundaries.Count > 0)
        {
            // The title sits just above the data area, where the phase labels go: lift it above them.
            loss.Axes.Title.Label.OffsetY = -26;
        }
        loss.YLabel(logLoss ? "loss (log scale)" : "loss");
        if (!hasMetric)
        {
            loss.XLabel("epoch");
            return Finish(loss, history, labelPhases: true, bottom: 45).GetImageBytes(width, height, ImageFormat.Png);
        }

        using var metric = new Plot();
        string metricName = epochs.First(e => e.MetricName is not null).MetricName!;
        DrawMetric(metric, epochs, metricName);
        metric.YLabel(metricName);
        metric.XLabel("epoch");

        var multiplot = new Multiplot();
        multiplot.AddPlot(Finish(loss, history, labelPhases: true, bottom: 30));
        multiplot.AddPlot(Finish(metric, history, labelPhases: false, bottom: 45));
        // Loss is the main curve: two thirds of the height, the metric the lower third.
        var grid = new ScottPlot.MultiplotLayouts.CustomGrid();
        grid.Set(loss, new GridCell(0, 0, 3, 1, rowSpan: 2));
        grid.Set(metric, new GridCell(2, 0, 3, 1));
        multiplot.Layout = grid;
        multiplot.SharedAxes.ShareX([loss, metric]);
        using var image = multiplot.Render(width, height);
        return image.GetImageBytes(ImageFormat.Png);
    }

    /// <summary>Draws train and validation loss and the best-epoch marker; returns whether the y axis is log10.</summary>
    private static bool DrawLoss(Plot plot, IReadOnlyList<TrainingProgress> epochs, TrainingProgress? best)
    {
        var all = epochs.Select(e => e.TrainLoss).Concat(epochs.Select(e => e.ValidationLoss ?? double.NaN)).Where(double.IsFinite).ToList();
        // ScottPlot has no log axis: plot log10 values and label the ticks with powers of ten.
        bool log = all.Count > 0 && all.Min() > 0 && all.Max() / all.Min() > 10;
        double Y(double v) => log ? Math.Log10(v) : v;

        AddLine(plot, epochs, e => e.TrainLoss, Y, TrainColor, "train loss");
        AddLine(plot, epochs, e => e.ValidationLoss, Y, ValidationColor, "validation loss");
        if (best is not null)
        {
            double bestLoss = best.ValidationLoss is double v && !double.IsNaN(v) ? v : best.TrainLoss;
            if (double.IsFinite(bestLoss) && (!log || bestLoss > 0))
            {
                var marker = plot.Add.Marker(best.Epoch, Y(bestLoss), MarkerShape.OpenCircle, 16, BestColor);
                marker.MarkerLineWidth = 2.5f;
                marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"best: epoch {best.Epoch}, loss {TrainingProgress.FormatValue(bestLoss)}");
            }
        }
        if (log)
        {
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G4", CultureInfo.InvariantCulture),
            };
        }
        return log;
    }

    private static void DrawMetric(Plot plot, IReadOnlyList<TrainingProgress> epochs, string metricName)
    {
        AddLine(plot, epochs, e => e.TrainMetric, y => y, TrainColor, $"train {metricName}");
        AddLine(plot, epochs, e => e.ValidationMetric, y => y, ValidationColor, $"validation {metricName}");
    }

    /// <summary>One curve through the epochs that have a finite value (NaN losses of a diverged run are left out).</summary>
    private static void AddLine(Plot plot, IReadOnlyList<TrainingProgress> epochs, Func<TrainingProgress, double?> value, Func<double, double> y, Color color, string label)
    {
        var points = epochs.Where(e => Finite(value(e))).ToList();
        if (points.Count == 0)
        {
            return;
        }
        var line = plot.Add.Scatter(points.Select(e => (double)e.Epoch).ToArray(), points.Select(e => y(value(e)!.Value)).ToArray(), color);
        line.LineWidth = 2;
        line.MarkerSize = points.Count > 60 ? 0 : 5;
        line.LegendText = label;
    }

    /// <summary>
    /// Phase boundary lines, epoch ticks, legend and margins, common to both panels. The boundary labels go above the
    /// top panel only, under the title, which gets the room for them.
    /// </summary>
    private static Plot Finish(Plot plot, TrainingHistory history, bool labelPhases, float bottom)
    {
        var boundaries = history.PhaseBoundaries;
        foreach (int start in boundaries)
        {
            var phase = history.Epochs.First(e => e.Epoch == start);
            // Between the last epoch of one phase and the first of the next.
            var line = plot.Add.VerticalLine(start - 0.5, 1.5f, BoundaryColor, LinePattern.Dashed);
            if (labelPhases)
            {
                line.Text = $"phase {phase.Phase}: {phase.PhaseName}";
                line.LabelOppositeAxis = true;
                line.LabelFontSize = 12;
                line.LabelFontName = SansFont ?? line.LabelFontName;
            }
        }
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.UpperRight);
        // Fixed margins, the same left and right in both panels, so their data areas line up on the shared epoch axis.
        float top = !labelPhases ? 12 : boundaries.Count > 0 ? 66 : 40;
        if (SansFont is not null)
        {
            plot.Font.Set(SansFont);
            plot.Legend.FontName = SansFont;
        }
        plot.Layout.Fixed(new PixelPadding(left: 80, right: 25, bottom: bottom, top: top));
        return plot;
    }

    private static string TitleOf(IReadOnlyList<TrainingProgress> epochs, TrainingProgress? best)
    {
        string phases = string.Join(" → ", epochs.Select(e => e.PhaseName).Distinct());
        return best is null ? $"Learning curve ({phases})" : string.Create(CultureInfo.InvariantCulture, $"Learning curve ({phases}) — best epoch {best.Epoch}");
    }

    private static bool Finite(double? value) => value is double v && double.IsFinite(v);
}
