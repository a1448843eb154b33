using System.CommandLine;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri explain --model MODEL --out DIR [--method NAME] [--png] FILE...</c>: a relevance map per image, written
/// in the file's own grid as <c>DIR/STEM_relevance.nii.gz</c> (and a PNG), with <c>DIR/explain.json</c> saying per
/// file what was explained and how long a map and a forward + backward pass took in the same run.
/// </summary>
internal static class ExplainCommand
{
    /// <summary>The method names on the command line (kebab case) and the methods.</summary>
    internal static readonly IReadOnlyDictionary<string, RelevanceMethod> Methods = new Dictionary<string, RelevanceMethod>(StringComparer.Ordinal)
    {
        ["lrp-epsilon"] = RelevanceMethod.LrpEpsilon,
        ["lrp-z-plus"] = RelevanceMethod.LrpZPlus,
        ["lrp-alpha1-beta0"] = RelevanceMethod.LrpAlpha1Beta0,
        ["lrp-alpha2-beta1"] = RelevanceMethod.LrpAlpha2Beta1,
        ["preset-a"] = RelevanceMethod.LrpPresetA,
        ["preset-b"] = RelevanceMethod.LrpPresetB,
        ["epsilon-plus-flat"] = RelevanceMethod.LrpEpsilonPlusFlat,
        ["epsilon-alpha2-beta1"] = RelevanceMethod.LrpEpsilonAlpha2Beta1,
        ["gradient"] = RelevanceMethod.Gradient,
        ["gradient-x-input"] = RelevanceMethod.GradientTimesInput,
        ["smoothgrad"] = RelevanceMethod.SmoothGrad,
        ["integrated-gradients"] = RelevanceMethod.IntegratedGradients,
        ["occlusion"] = RelevanceMethod.Occlusion,
    };

    private static readonly string[] ImageExtensions = [".nii.gz", ".nii", ".mgz", ".mgh", ".hdr", ".img"];

    public static Command Create(CliIo io)
    {
        var model = new Option<string>("--model") { Description = "The network: ours (.x4m), a Keras .h5, or a model .zip from xai4mri train (its loader settings are used)", Required = true, HelpName = "MODEL" };
        var output = new Option<string>("--out") { Description = "Folder for STEM_relevance.nii.gz per file and explain.json (created if missing)", Required = true, HelpName = "DIR" };
        var method = new Option<string>("--method") { Description = "Attribution method", DefaultValueFactory = _ => "preset-a", HelpName = "NAME" };
        method.AcceptOnlyFromAmong([.. Methods.Keys]);
        var target = new Option<int?>("--target") { Description = "The class to explain (default: each image's predicted class; regression has one output)", HelpName = "N" };
        var png = new Option<bool>("--png") { Description = "Also write STEM_relevance.png: three orthogonal slices with relevance over the conformed image (default: off)" };
        var cache = new Option<string?>("--cache") { Description = "Volume cache folder (default: $XAI4MRI_CACHE_DIR or ~/.cache/xai4mri)", HelpName = "DIR" };
        var brainExtraction = StudyInput.BrainExtractionOption();
        var files = new Argument<string[]>("files") { Description = "Image files (.nii, .nii.gz, .hdr/.img, .mgh, .mgz)", Arity = ArgumentArity.OneOrMore, HelpName = "FILE" };
        var command = new Command("explain", "Relevance maps of a network for image files, in each file's own grid, with a JSON summary") { model, output, method, target, png, cache, brainExtraction, files };
        command.SetAction(result => CliApp.Guard("explain", io.Err, () =>
            Run(io, result.GetRequiredValue(model), result.GetRequiredValue(output), result.GetValue(method)!, result.GetValue(target), result.GetValue(png), result.GetValue(cache), result.GetValue(brainExtraction), result.GetRequiredValue(files)),
            "nothing was written"));
        return command;
    }

    /// <summary>The file name without its image extension (.nii.gz counts as one).</summary>
    internal static string Stem(string path)
    {
        string name = Path.GetFileName(path);
        string? extension = ImageExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return extension is null ? Path.GetFileNameWithoutExtension(name) : name[..^extension.Length];
    }

    private static int Run(CliIo io, string modelPath, string outputDir, string methodName, int? target, bool png, string? cache, string? brainExtraction, string[] files)
    {
        var stems = files.GroupBy(Stem, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (stems is not null)
        {
            throw new ArgumentException($"two inputs have the stem '{stems.Key}' ({string.Join(", ", stems)}): their outputs would overwrite each other");
        }
        var missing = files.FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
        {
            io.Err.WriteLine($"xai4mri explain: {missing}: file not found; nothing was written");
            return CliApp.ExitBadInput;
        }
        var ml = new MLContext(seed: 0);
        using var network = MriNetModel.Load(modelPath);
        // A model .zip from train conforms files with the loader it was trained behind; other models by their conventions.
        bool modelZip = IsModelZip(modelPath);
        if (modelZip && brainExtraction is not null)
        {
            throw new ArgumentException("--brain-extraction: a model .zip from train conforms files with the loader it was trained behind, brain extraction included; the option is for other models");
        }
        NiftiLoaderEstimator estimator = modelZip
            ? ml.Transforms.LoadNifti("Image", "Path", SavedLoaderSettings.FromModelZip(modelPath))
            : ml.Transforms.LoadNifti("Image", "Path", StudyInput.WithBrainExtraction(StudyInput.LoaderOptions(network, null, null, cache), brainExtraction));
        var rows = ml.Data.LoadFromEnumerable(files.Select(f => new FileRow { Path = Path.GetFullPath(f) }));
        var loader = estimator.Fit(rows);
        var settings = loader.Settings;
        var method = Methods[methodName];
        var options = new RelevanceOptions { Method = method, Target = target };
        int voxels = settings.OutputLength;
        if (voxels != network.InputShape.Aggregate(1, (a, b) => a * b))
        {
            throw new ArgumentException($"the loader's box {string.Join('x', settings.TargetShape)} does not fit the network's input {string.Join('x', network.InputShape)}");
        }

        string full = Path.GetFullPath(outputDir);
        bool created = !Directory.Exists(full);
        Directory.CreateDirectory(full);
        // Everything is written into a hidden folder first and moved into place at the end: an error leaves nothing half-written.
        string staging = Path.Combine(full, $".explain-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            var entries = new List<Entry>();
            using var cancel = new CancellationTokenSource();
            using var stop = io.OnCancel("explain", cancel.Cancel);
            using var bar = io.Progress("explain", files.Length, "files");
            for (int f = 0; f < files.Length; f++)
            {
                cancel.Token.ThrowIfCancellationRequested();
                string file = Path.GetFullPath(files[f]);
                var (image, _) = loader.LoadOne(file);
                if (f == 0)
                {
                    // Untimed: the first pass pays for allocations the others reuse.
                    _ = RelevanceMaps.Compute(network, image, 1, options with { Method = RelevanceMethod.Gradient });
                }
                var clock = Stopwatch.StartNew();
                var map = ComputeOrExplain(network, image, options);
                double mapSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                _ = RelevanceMaps.Compute(network, image, 1, options with { Method = RelevanceMethod.Gradient });
                double passSeconds = clock.Elapsed.TotalSeconds;

                string stem = Stem(file);
                string nifti = $"{stem}_relevance.nii.gz";
                var native = loader.ToNative(file, map.Values);
                native.Save(Path.Combine(staging, nifti));
                var shares = BrainShares(file, native);
                string? figure = null;
                if (png)
                {
                    figure = $"{stem}_relevance.png";
                    RelevanceFigure.Save(Path.Combine(staging, figure), image, map.Values, settings.TargetShape, settings.Orientation, $"{Path.GetFileName(file)}: {methodName}, output {map.Output} = {map.OutputValue:G4}");
                }
                entries.Add(new Entry(file, nifti, figure, methodName, map.Output, map.OutputValue, map.RelevanceSum,
                    shares.PositiveInBox, shares.AbsoluteInBrain, shares.From, mapSeconds, passSeconds));
                bar.Report(f + 1, Path.GetFileName(file));
            }
            bar.Dispose();
            var summary = new Summary(Path.GetFullPath(modelPath), network.Provenance, methodName, settings.TargetShape, settings.Orientation, entries);
            File.WriteAllText(Path.Combine(staging, "explain.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            foreach (string written in Directory.GetFiles(staging))
            {
                File.Move(written, Path.Combine(full, Path.GetFileName(written)), overwrite: true);
            }
            Directory.Delete(staging, recursive: true);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            if (created)
            {
                Directory.Delete(full);
            }
            throw;
        }
        io.Err.WriteLine($"explain: {files.Length} relevance map(s) by {methodName} in {full}");
        return CliApp.ExitOk;
    }

    /// <summary>One map; a layer the method has no rule for is an input error (exit 1) naming the layer and the method.</summary>
    private static RelevanceMap ComputeOrExplain(MriNetModel network, float[] image, RelevanceOptions options)
    {
        try
        {
            return RelevanceMaps.Compute(network, image, 1, options).Single();
        }
        catch (NotSupportedException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    /// <summary>
    /// Where the relevance lies in the file's own grid: the share of the positive relevance inside the brain's bounding
    /// box (null when nothing is positive), and the share of the absolute relevance on the brain's voxels, which falls
    /// when relevance lies on skull, scalp or background. A scan with skull and scalp (<see cref="HeadCheck"/>) gets its
    /// brain from <see cref="BrainExtractor"/>, a brain-extracted one from its non-zero voxels.
    /// </summary>
    internal static (double? PositiveInBox, double? AbsoluteInBrain, string From) BrainShares(string file, Volume map)
    {
        var scan = Volume.FromImage(MriImage.Load(file));
        var brain = scan;
        string from = "non-zero voxels (brain-extracted scan)";
        if (HeadCheck.Check(scan).NotBrainExtracted)
        {
            try
            {
                brain = BrainExtractor.Extract(scan).Mask;
                from = "brain mask (BrainExtractor: the scan has skull and scalp)";
            }
            catch (ArgumentException e)
            {
                from = $"non-zero voxels (brain extraction failed: {e.Message})";
            }
        }
        var shape = scan.Shape;
        int[] low = [int.MaxValue, int.MaxValue, int.MaxValue], high = [-1, -1, -1];
        for (int v = 0; v < brain.Data.Length; v++)
        {
            if (brain.Data[v] > 0)
            {
                int[] at = [v / (shape[1] * shape[2]), v / shape[2] % shape[1], v % shape[2]];
                for (int a = 0; a < 3; a++)
                {
                    low[a] = Math.Min(low[a], at[a]);
                    high[a] = Math.Max(high[a], at[a]);
                }
            }
        }
        double positiveInside = 0, positive = 0, absoluteInside = 0, absolute = 0;
        for (int v = 0; v < map.Data.Length; v++)
        {
            double r = map.Data[v];
            absolute += Math.Abs(r);
            if (brain.Data[v] > 0)
            {
                absoluteInside += Math.Abs(r);
            }
            if (r > 0)
            {
                positive += r;
                int i = v / (shape[1] * shape[2]), j = v / shape[2] % shape[1], k = v % shape[2];
                if (i >= low[0] && i <= high[0] && j >= low[1] && j <= high[1] && k >= low[2] && k <= high[2])
                {
                    positiveInside += r;
                }
            }
        }
        return (positive > 0 ? positiveInside / positive : null, absolute > 0 ? absoluteInside / absolute : null, from);
    }

    private static bool IsModelZip(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.Name == "OnnxModel");
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private sealed class FileRow
    {
        public string Path { get; set; } = "";
    }

    private sealed record Entry(string File, string Relevance, string? Png, string Method, int Output, double OutputValue, double RelevanceSum,
        double? PositiveShareInBrainBox, double? AbsoluteShareInBrain, string BrainFrom, double SecondsPerMap, double SecondsPerForwardBackward);

    private sealed record Summary(string Model, string Provenance, string Method, int[] Box, string Orientation, IReadOnlyList<Entry> Files);
}
