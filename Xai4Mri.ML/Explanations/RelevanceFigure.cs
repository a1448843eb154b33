using System.Globalization;
using ScottPlot;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// PNG figures of a relevance map over the anatomy, as xai4mri's visualiser draws them: three orthogonal slices
/// through the voxel of largest |relevance|, relevance in a blue–white–red colour map on a scale symmetric about zero
/// (±max |relevance|) with a colour bar, over the image in grey.
/// </summary>
public static class RelevanceFigure
{
    private static readonly string? SansFont = SkiaSharp.SKFontManager.Default.FontFamilies.Contains("DejaVu Sans") ? "DejaVu Sans" : null;

    /// <summary>
    /// Writes the figure (atomically: a temporary file in the target folder, then moved into place) and returns the
    /// scale's half-range (max |relevance|, 0 for an all-zero map, drawn as ±1).
    /// </summary>
    /// <param name="path">The PNG file to write; its folder must exist. An existing file is replaced.</param>
    /// <param name="image">The image the map explains, in <paramref name="shape"/> (C order), e.g. the conformed volume.</param>
    /// <param name="relevance">The map, in the same layout.</param>
    /// <param name="shape">The volume's shape (D, H, W).</param>
    /// <param name="orientation">The axis codes of the volume's axes (the loader's orientation, default xai4mri's LIA), so that slices show superior up and the subject's right on the right.</param>
    /// <param name="title">A line above the slices (e.g. the file and the method); null for none.</param>
    /// <param name="threshold">Voxels whose |relevance| is below this fraction of the maximum show the anatomy only (default 0.05).</param>
    /// <param name="width">Image width in pixels (at least 300).</param>
    /// <param name="height">Image height in pixels (at least 150).</param>
    /// <exception cref="ArgumentException">The arrays do not match the shape, the orientation is not three axis codes, a value is not finite, or a size or threshold is out of range (the message names it).</exception>
    public static double Save(string path, ReadOnlySpan<float> image, ReadOnlySpan<float> relevance, IReadOnlyList<int> shape, string orientation = "LIA", string? title = null, double threshold = 0.05, int width = 1200, int height = 460)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != 3 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"shape must be three positive sizes (D, H, W), got ({string.Join(", ", shape)})", nameof(shape));
        }
        long voxels = (long)shape[0] * shape[1] * shape[2];
        if (image.Length != voxels || relevance.Length != voxels)
        {
            throw new ArgumentException($"image ({image.Length} values) and relevance ({relevance.Length} values) must both have {string.Join('x', shape)} = {voxels} values", image.Length != voxels ? nameof(image) : nameof(relevance));
        }
        var axes = Axes(orientation);
        if (!(threshold >= 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), $"threshold must be in [0, 1), got {threshold}");
        }
        if (width < 300 || height < 150)
        {
            throw new ArgumentOutOfRangeException(width < 300 ? nameof(width) : nameof(height), $"the figure must be at least 300x150 pixels, got {width}x{height}");
        }
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the folder of '{path}' does not exist", nameof(path));
        }
        int peak = 0;
        double max = 0, low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < voxels; i++)
        {
            if (!float.IsFinite(relevance[i]) || !float.IsFinite(image[i]))
            {
                throw new ArgumentException($"value {i} is not finite (image {image[i]}, relevance {relevance[i]})", float.IsFinite(image[i]) ? nameof(relevance) : nameof(image));
            }
            if (Math.Abs(relevance[i]) > max)
            {
                (max, peak) = (Math.Abs(relevance[i]), i);
            }
            low = Math.Min(low, image[i]);
            high = Math.Max(high, image[i]);
        }
        int[] at = [peak / (shape[1] * shape[2]), peak / shape[2] % shape[1], peak % shape[2]];
        double scale = max > 0 ? max : 1;
        using var plot = new Plot();
        if (SansFont is not null)
        {
            plot.Font.Set(SansFont);
        }
        var anatomy = new GrayColormap();
        var diverging = new DivergingColormap();
        ScottPlot.Plottables.Heatmap? last = null;
        double left = 0;
        var inv = CultureInfo.InvariantCulture;
        // Sagittal (fixed R–L: anterior right, superior up), coronal (fixed A–P) and axial (fixed S–I: anterior up).
        foreach (var (fixedWorld, across, up, name) in new[] { (0, 1, 2, "sagittal"), (1, 0, 2, "coronal"), (2, 0, 1, "axial") })
        {
            var (fixedAxis, _) = axes[fixedWorld];
            var gray = Slice(image, shape, axes, fixedAxis, at[fixedAxis], across, up, v => high > low ? (v - low) / (high - low) : 0);
            var map = Slice(relevance, shape, axes, fixedAxis, at[fixedAxis], across, up, v => Math.Abs(v) >= threshold * max && v != 0 ? v : double.NaN);
            int rows = gray.GetLength(0), cols = gray.GetLength(1);
            var rect = new CoordinateRect(left, left + cols, 0, rows);
            var background = plot.Add.Heatmap(gray);
            background.Colormap = anatomy;
            background.ManualRange = new ScottPlot.Range(0, 1);
            background.Rectangle = rect;
            var overlay = plot.Add.Heatmap(map);
            overlay.Colormap = diverging;
            overlay.ManualRange = new ScottPlot.Range(-scale, scale);
            overlay.NaNCellColor = Colors.Transparent;
            overlay.Rectangle = rect;
            last = overlay;
            var label = plot.Add.Text(string.Create(inv, $"{name} {at[fixedAxis]}"), left + (cols / 2.0), rows + 1);
            label.LabelAlignment = Alignment.LowerCenter;
            label.LabelFontSize = 13;
            left += cols + 4;
        }
        var bar = plot.Add.ColorBar(last!);
        bar.Label = "relevance";
        int tallest = shape.Max();
        if (title is not null)
        {
            // In data coordinates: a frameless plot draws no title panel.
            var line = plot.Add.Text(title, 0, tallest + 5);
            line.LabelAlignment = Alignment.LowerLeft;
            line.LabelFontSize = 15;
        }
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Axes.SquareUnits();
        plot.Axes.SetLimits(-1, left - 3, -1, tallest + 9);
        // Room for the colour bar's ticks and label on the right and the top tick above the data.
        plot.Layout.Fixed(new PixelPadding(10, 110, 12, 16));
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, png);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return max;
    }

    /// <summary>Per world axis (R–L, A–P, S–I): the array axis along it and whether the array runs toward R, A or S.</summary>
    private static (int Axis, bool Positive)[] Axes(string orientation)
    {
        ArgumentNullException.ThrowIfNull(orientation);
        var result = new (int Axis, bool Positive)[3];
        var seen = new bool[3];
        if (orientation.Length == 3)
        {
            for (int a = 0; a < 3; a++)
            {
                char c = char.ToUpperInvariant(orientation[a]);
                int world = c is 'R' or 'L' ? 0 : c is 'A' or 'P' ? 1 : c is 'S' or 'I' ? 2 : -1;
                if (world < 0 || seen[world])
                {
                    break;
                }
                seen[world] = true;
                result[world] = (a, c is 'R' or 'A' or 'S');
            }
        }
        return seen.All(s => s) ? result : throw new ArgumentException($"orientation must be three axis codes, one each of R/L, A/P and S/I (e.g. LIA), got '{orientation}'", nameof(orientation));
    }

    /// <summary>A slice as rows (top = the <paramref name="up"/> world direction) by columns (right = the <paramref name="across"/> one).</summary>
    private static double[,] Slice(ReadOnlySpan<float> values, IReadOnlyList<int> shape, (int Axis, bool Positive)[] axes, int fixedAxis, int fixedIndex, int across, int up, Func<double, double> f)
    {
        var (h, hPositive) = axes[across];
        var (v, vPositive) = axes[up];
        int cols = shape[h], rows = shape[v];
        var slice = new double[rows, cols];
        var index = new int[3];
        index[fixedAxis] = fixedIndex;
        for (int r = 0; r < rows; r++)
        {
            index[v] = vPositive ? rows - 1 - r : r;
            for (int c = 0; c < cols; c++)
            {
                index[h] = hPositive ? c : cols - 1 - c;
                slice[r, c] = f(values[(((index[0] * shape[1]) + index[1]) * shape[2]) + index[2]]);
            }
        }
        return slice;
    }
}
