using System.Globalization;
using SkiaSharp;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.Bench;

/// <summary>
/// A PNG for a person to judge a brain extraction: axial, coronal and sagittal slices through the mask's centre
/// in world millimetres (any stored orientation or voxel size), the anatomy in grey, the mask tinted red with a
/// yellow contour, and optionally a reference mask's contour in cyan.
/// </summary>
internal static class BrainExtractionOverlay
{
    private const float PixelsPerMm = 2;

    /// <summary>
    /// <c>brain-extraction-overlay IN OUT.png [--mask MASK.nii.gz] [--truth TRUTH.nii.gz] [--brain-surface] [-f B]</c>:
    /// extracts (with <c>--brain-surface</c>, without moving out to the inner skull; <c>-f</c> sets the fractional
    /// threshold), draws, and optionally saves the mask.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Xai4Mri.Bench brain-extraction-overlay IN OUT.png [--mask MASK.nii.gz] [--truth TRUTH.nii.gz] [--brain-surface] [-f B]");
            return 2;
        }
        var inv = CultureInfo.InvariantCulture;
        var image = Volume.FromImage(MriImage.Load(args[0]));
        var options = new BrainExtractorOptions { ExpandToInnerSkull = !args.Contains("--brain-surface") };
        if (TransferStudy.Arg(args, "-f") is { } f)
        {
            options.FractionalThreshold = double.Parse(f, inv);
        }
        var result = BrainExtractor.Extract(image, options);
        Volume? truth = TransferStudy.Arg(args, "--truth") is { } t ? Volume.FromImage(MriImage.Load(t)) : null;
        if (truth is not null && !truth.Shape.SequenceEqual(image.Shape))
        {
            throw new ArgumentException($"--truth has shape {string.Join('x', truth.Shape)}, the image {string.Join('x', image.Shape)}: they must share the grid");
        }
        if (TransferStudy.Arg(args, "--mask") is { } maskPath)
        {
            result.Mask.Save(maskPath);
        }
        var check = HeadCheck.Check(image);
        string caption = string.Create(inv,
            $"{Path.GetFileName(args[0])}: {string.Join('x', image.Shape)} {image.AxisCodes} {image.VoxelSize[0]:F1}x{image.VoxelSize[1]:F1}x{image.VoxelSize[2]:F1} mm; mask {result.BrainVolumeMl:F0} mL, brain surface {result.BrainSurfaceVolumeMl:F0} mL ({result.Iterations} steps{(result.Retried ? ", retried" : "")}{(result.LeakCorrected ? ", skull-base leak corrected" : "")}), skull found at {100 * result.InnerSkullFraction:F0} % of the surface; check: {(check.NotBrainExtracted ? "not brain-extracted" : "brain-extracted")} (shell {check.ShellFraction:F2}, {check.ForegroundVolumeMl:F0} mL above background)");
        Draw(image, result.Mask, truth, args[1], caption);
        Console.WriteLine(caption);
        if (truth is not null)
        {
            var (dice, _, _) = BrainExtractionBenchmark.DiceOf(result.Mask.Data, truth.Data);
            Console.WriteLine(string.Create(inv, $"Dice against --truth: {dice:F4}"));
        }
        return 0;
    }

    internal static void Draw(Volume image, Volume mask, Volume? truth, string path, string caption)
    {
        var inverse = image.Affine.Inverse();
        // World bounding box of the grid's corners.
        var lo = new double[] { double.MaxValue, double.MaxValue, double.MaxValue };
        var hi = new double[] { double.MinValue, double.MinValue, double.MinValue };
        for (int c = 0; c < 8; c++)
        {
            var (x, y, z) = image.Affine.Apply((c & 1) * (image.Shape[0] - 1), ((c >> 1) & 1) * (image.Shape[1] - 1), ((c >> 2) & 1) * (image.Shape[2] - 1));
            double[] w = [x, y, z];
            for (int a = 0; a < 3; a++)
            {
                lo[a] = Math.Min(lo[a], w[a]);
                hi[a] = Math.Max(hi[a], w[a]);
            }
        }
        double[] centre = MaskCentre(mask);
        double[] window = HeadStatistics.Quantiles(image.Data, 0.01, 0.995);
        double p1 = window[0], p99 = window[1];
        // Panels: (horizontal world axis, vertical world axis, fixed axis); vertical axes point up (S or A).
        (int H, int V, int Fixed, string Name)[] panels = [(0, 1, 2, "axial"), (0, 2, 1, "coronal"), (1, 2, 0, "sagittal")];
        int height = (int)Math.Ceiling(Math.Max(hi[1] - lo[1], hi[2] - lo[2]) * PixelsPerMm) + 40;
        var widths = panels.Select(p => (int)Math.Ceiling((hi[p.H] - lo[p.H]) * PixelsPerMm)).ToArray();
        using var bitmap = new SKBitmap(widths.Sum() + (10 * (panels.Length + 1)), height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        int left = 10;
        for (int p = 0; p < panels.Length; p++)
        {
            var (h, v, f, _) = panels[p];
            int w = widths[p], panelHeight = (int)Math.Ceiling((hi[v] - lo[v]) * PixelsPerMm);
            var inside = new bool[w, panelHeight];
            var reference = new bool[w, panelHeight];
            for (int py = 0; py < panelHeight; py++)
            {
                for (int px = 0; px < w; px++)
                {
                    var world = new double[3];
                    world[f] = centre[f];
                    world[h] = lo[h] + ((px + 0.5) / PixelsPerMm);
                    world[v] = hi[v] - ((py + 0.5) / PixelsPerMm);
                    var (i, j, k) = inverse.Apply(world[0], world[1], world[2]);
                    int ii = (int)Math.Round(i), jj = (int)Math.Round(j), kk = (int)Math.Round(k);
                    if (ii < 0 || jj < 0 || kk < 0 || ii >= image.Shape[0] || jj >= image.Shape[1] || kk >= image.Shape[2])
                    {
                        continue;
                    }
                    int o = image.Index(ii, jj, kk);
                    byte grey = (byte)Math.Clamp((image.Data[o] - p1) / (p99 - p1) * 255, 0, 255);
                    inside[px, py] = mask.Data[o] != 0;
                    reference[px, py] = truth is not null && truth.Data[o] != 0;
                    var colour = inside[px, py]
                        ? new SKColor((byte)Math.Min(255, (grey * 0.6) + 100), (byte)(grey * 0.6), (byte)(grey * 0.6))
                        : new SKColor(grey, grey, grey);
                    bitmap.SetPixel(left + px, 30 + py, colour);
                }
            }
            Contour(bitmap, inside, left, SKColors.Yellow);
            if (truth is not null)
            {
                Contour(bitmap, reference, left, SKColors.Cyan);
            }
            left += w + 10;
        }
        using var font = new SKFont(SKTypeface.Default, 13);
        using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText(caption, 10, 20, font, paint);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    private static void Contour(SKBitmap bitmap, bool[,] inside, int left, SKColor colour)
    {
        int w = inside.GetLength(0), h = inside.GetLength(1);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                if (inside[x, y] && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || !inside[x - 1, y] || !inside[x + 1, y] || !inside[x, y - 1] || !inside[x, y + 1]))
                {
                    bitmap.SetPixel(left + x, 30 + y, colour);
                }
            }
        }
    }

    /// <summary>World centre (mm) of the mask's voxels.</summary>
    private static double[] MaskCentre(Volume mask)
    {
        double sx = 0, sy = 0, sz = 0;
        long count = 0;
        for (int i = 0; i < mask.Shape[0]; i++)
        {
            for (int j = 0; j < mask.Shape[1]; j++)
            {
                for (int k = 0; k < mask.Shape[2]; k++)
                {
                    if (mask[i, j, k] != 0)
                    {
                        var (x, y, z) = mask.Affine.Apply(i, j, k);
                        sx += x;
                        sy += y;
                        sz += z;
                        count++;
                    }
                }
            }
        }
        return [sx / count, sy / count, sz / count];
    }
}
