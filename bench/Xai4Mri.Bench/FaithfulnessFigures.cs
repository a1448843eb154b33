using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace Xai4Mri.Bench;

/// <summary>The faithfulness figures: perturbation curves per method against random order, and one slice per method.</summary>
internal static class FaithfulnessFigures
{
    private const int Zoom = 7;

    /// <summary>Mean output drop against cubes removed, one line per method and the random orders dashed.</summary>
    public static void Curves(string path, FaithfulnessScenario s, IReadOnlyList<FaithfulnessBenchmark.MethodResult> results, double[][] random, FaithfulnessOptions o)
    {
        using var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        double[] MeanDrop(double[][] curves) => [.. Enumerable.Range(0, curves.Min(c => c.Length)).Select(k => curves.Average(c => c[0] - c[k]))];
        for (int m = 0; m < results.Count; m++)
        {
            double[] y = MeanDrop(results[m].Curves);
            var line = plot.Add.Scatter(Enumerable.Range(0, y.Length).Select(k => (double)k).ToArray(), y, palette.GetColor(m));
            line.LegendText = results[m].Method.ToString();
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }
        double[] r = MeanDrop(random);
        var randomLine = plot.Add.Scatter(Enumerable.Range(0, r.Length).Select(k => (double)k).ToArray(), r, Colors.Black);
        randomLine.LegendText = $"random order ({o.Seeds} per subject)";
        randomLine.MarkerSize = 0;
        randomLine.LineWidth = 3;
        randomLine.LinePattern = LinePattern.Dashed;
        plot.Title($"{s.Title}: region perturbation");
        plot.XLabel($"cubes of {s.CubeEdge}³ voxels removed, most relevant first");
        plot.YLabel($"mean drop of the explained output ({s.OutputUnit})");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 1100, 600);
    }

    /// <summary>
    /// One axial slice of the example image through its region's centre: the anatomy with the region's outline, then
    /// every method's map over the anatomy (red positive, blue negative, each map scaled to its own 99.5th percentile
    /// of |relevance| in the brain, so the colour scale is symmetric about 0).
    /// </summary>
    public static void Slices(string path, FaithfulnessScenario s, IReadOnlyList<FaithfulnessBenchmark.MethodResult> results)
    {
        int[] shape = s.Shape;
        int i = s.Example, voxels = shape[0] * shape[1] * shape[2];
        float[] image = s.Images.AsSpan(i * voxels, voxels).ToArray();
        bool[] region = s.Regions[s.ExampleRegion][i];
        int slice = SliceThrough(region, shape);
        // LIA box: axis 0 runs to the left (drawn left to right: the patient's left on the right, radiological),
        // axis 1 downwards (the slice), axis 2 forwards (drawn bottom to top).
        int w = shape[0] * Zoom, h = shape[2] * Zoom;
        int columns = Math.Min(7, results.Count + 1), rows = (int)Math.Ceiling((results.Count + 1) / (double)columns);
        const int caption = 34, header = 44;
        using var bitmap = new SKBitmap((columns * (w + 8)) + 8, header + (rows * (h + caption)) + 4);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var font = new SKFont(SKTypeface.Default, 12);
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"{s.Title}: {s.Ids[i]}, axial slice {slice} of the model's box (patient's left on the right)"), 8, 17, font, white);
        canvas.DrawText($"outline: {s.ExampleRegion}; relevance red +, blue −, each map scaled to its own 99.5th percentile of |R| in the brain", 8, 34, font, white);
        float max = image.Max();
        for (int p = 0; p <= results.Count; p++)
        {
            int left = 8 + (p % columns * (w + 8)), top = header + (p / columns * (h + caption));
            float[]? map = p == 0 ? null : results[p - 1].Maps[i].Values;
            double scale = map is null ? 1 : Percentile(map.Where((_, v) => s.Brain[i][v]).Select(v => Math.Abs((double)v)).ToArray(), 0.995);
            for (int d = 0; d < shape[0]; d++)
            {
                for (int a = 0; a < shape[2]; a++)
                {
                    int v = (((d * shape[1]) + slice) * shape[2]) + a;
                    double grey = max > 0 ? image[v] / max * 255 : 0;
                    var colour = map is null || scale <= 0 ? Grey(grey) : Blend(grey, Math.Clamp(map[v] / scale, -1, 1));
                    bool edge = region[v] && (d == 0 || a == 0 || d == shape[0] - 1 || a == shape[2] - 1
                        || !region[v - (shape[1] * shape[2])] || !region[v + (shape[1] * shape[2])] || !region[v - 1] || !region[v + 1]);
                    using var paint = new SKPaint { Color = colour };
                    canvas.DrawRect(left + (d * Zoom), top + ((shape[2] - 1 - a) * Zoom), Zoom, Zoom, paint);
                    if (edge)
                    {
                        using var outline = new SKPaint { Color = SKColors.Yellow, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
                        canvas.DrawRect(left + (d * Zoom), top + ((shape[2] - 1 - a) * Zoom), Zoom - 1, Zoom - 1, outline);
                    }
                }
            }
            string label = p == 0 ? "anatomy" : results[p - 1].Method.ToString();
            string detail = p == 0 ? s.ExampleRegion : string.Create(CultureInfo.InvariantCulture, $"share/volume {results[p - 1].Concentration[s.ExampleRegion][i]:F2}");
            canvas.DrawText(label, left, top + h + 14, font, white);
            canvas.DrawText(detail, left, top + h + 28, font, white);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    private static SKColor Grey(double g) => new((byte)g, (byte)g, (byte)g);

    /// <summary>The anatomy's grey blended towards red (t &gt; 0) or blue (t &lt; 0) by |t|.</summary>
    private static SKColor Blend(double grey, double t)
    {
        double a = Math.Abs(t);
        (double r, double g, double b) = t >= 0 ? (215.0, 25.0, 28.0) : (44.0, 123.0, 182.0);
        return new SKColor((byte)((grey * (1 - a)) + (r * a)), (byte)((grey * (1 - a)) + (g * a)), (byte)((grey * (1 - a)) + (b * a)));
    }

    /// <summary>The slice (index of axis 1) holding most of the region's voxels.</summary>
    private static int SliceThrough(bool[] region, int[] shape)
    {
        var counts = new int[shape[1]];
        for (int v = 0; v < region.Length; v++)
        {
            if (region[v])
            {
                counts[v / shape[2] % shape[1]]++;
            }
        }
        return Array.IndexOf(counts, counts.Max());
    }

    private static double Percentile(double[] values, double q)
    {
        if (values.Length == 0)
        {
            return 0;
        }
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)(q * (values.Length - 1)))];
    }
}
