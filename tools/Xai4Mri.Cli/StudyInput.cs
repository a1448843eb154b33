using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Study;

namespace Xai4Mri.Cli;

/// <summary>
/// The study a command works on: a participants.tsv (images found by a path template) or a BIDS root, with the
/// label made ready for the networks (Single for regression; a key column "Label" for classes).
/// </summary>
internal sealed class StudyInput
{
    public const string DefaultTemplate = "{participant_id}/anat/{participant_id}_T1w.nii.gz";

    /// <summary>--data: a study table or a BIDS root.</summary>
    public Option<string> Data { get; } = new("--data") { Description = "A participants.tsv (with --path-template) or a BIDS root folder", Required = true, HelpName = "TABLE|BIDS" };

    /// <summary>--label: the column to predict.</summary>
    public Option<string> Label { get; } = new("--label") { Description = "The column to predict", Required = true, HelpName = "COLUMN" };

    /// <summary>--task: regression or classification.</summary>
    public Option<string> Task { get; } = TaskOption();

    /// <summary>--path-template: image path per table row.</summary>
    public Option<string?> Template { get; } = new("--path-template") { Description = $"Image path per row of a TSV, relative to its folder (default {DefaultTemplate})", HelpName = "TEMPLATE" };

    /// <summary>--suffix: the BIDS image suffix.</summary>
    public Option<string> Suffix { get; } = new("--suffix") { Description = "BIDS image suffix", DefaultValueFactory = _ => "T1w", HelpName = "SUFFIX" };

    /// <summary>--cache: the volume cache folder.</summary>
    public Option<string?> Cache { get; } = new("--cache") { Description = "Volume cache folder (default: $XAI4MRI_CACHE_DIR or ~/.cache/xai4mri)", HelpName = "DIR" };

    /// <summary>--sidecar-fields: .json sidecar fields joined as columns of a BIDS root.</summary>
    public Option<string?> SidecarFields { get; } = new("--sidecar-fields") { Description = "With a BIDS root: .json sidecar fields to add as columns, comma-separated, e.g. MagneticFieldStrength,RepetitionTime (default: none)", HelpName = "FIELDS" };

    /// <summary>--brain-extraction: none, auto or always.</summary>
    public Option<string?> BrainExtraction { get; } = BrainExtractionOption();

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Data, Label, Task, Template, Suffix, SidecarFields, Cache, BrainExtraction];

    /// <summary>A --brain-extraction option (the loader's <see cref="NiftiLoaderOptions.BrainExtraction"/>).</summary>
    public static Option<string?> BrainExtractionOption()
    {
        var option = new Option<string?>("--brain-extraction")
        {
            Description = "Strip skull and scalp while loading: none, auto (the images that are heads) or always (default: auto for a model trained on brain-extracted images, else none)",
            HelpName = "none|auto|always",
        };
        option.AcceptOnlyFromAmong("none", "auto", "always");
        return option;
    }

    /// <summary>The loader options with a --brain-extraction value applied (null keeps theirs).</summary>
    public static NiftiLoaderOptions WithBrainExtraction(NiftiLoaderOptions options, string? value)
    {
        options.BrainExtraction = value switch
        {
            "none" => ML.Loading.BrainExtraction.None,
            "auto" => ML.Loading.BrainExtraction.Auto,
            "always" => ML.Loading.BrainExtraction.Always,
            _ => options.BrainExtraction,
        };
        return options;
    }

    /// <summary>True when --task says classification.</summary>
    public bool IsClassification(ParseResult result) => result.GetValue(Task) == "classification";

    /// <summary>The study of the parsed options and its label column; for a BIDS root the summary of its metadata goes to <paramref name="stderr"/>.</summary>
    public (IDataView Study, string LabelColumn) Load(MLContext ml, ParseResult result, TextWriter stderr)
    {
        string[] fields = result.GetValue(SidecarFields) is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
        var bids = new BidsDatasetOptions { SidecarFields = fields };
        return Load(ml, result.GetRequiredValue(Data), result.GetValue(Template), result.GetValue(Suffix)!, result.GetRequiredValue(Label), IsClassification(result), bids, stderr);
    }

    private static Option<string> TaskOption()
    {
        var task = new Option<string>("--task") { Description = "regression (a numeric label) or classification (text or numeric classes)", DefaultValueFactory = _ => "regression" };
        task.AcceptOnlyFromAmong("regression", "classification");
        return task;
    }

    /// <summary>
    /// How the images are conformed: the way <paramref name="model"/> expects them (<see cref="NiftiLoaderOptions.For"/>),
    /// else the loader's defaults; a voxel size or box given on the command line replaces the model's.
    /// </summary>
    public static NiftiLoaderOptions LoaderOptions(MriNetModel? model, double? voxelSize, int[]? shape, string? cache)
    {
        var options = model is null ? new NiftiLoaderOptions() : NiftiLoaderOptions.For(model);
        if (voxelSize is { } v)
        {
            options.VoxelSize = [v];
        }
        if (shape is not null)
        {
            options.TargetShape = shape;
        }
        options.CacheDirectory = cache;
        return options;
    }

    /// <summary>
    /// The image-loading step: from the loader fit merged by <c>xai4mri prepare --verify</c> when the cache holds one for
    /// this study and these options (then no image is read to fit; said on stderr), else fitted on the study.
    /// </summary>
    public static IEstimator<ITransformer> Loader(MLContext ml, IDataView study, NiftiLoaderOptions options, TextWriter stderr)
    {
        // The loader's findings (images that load as background, NaN/Inf voxels, heads, mixed grids) are warnings on
        // the context's log: a command that trains or analyses says them instead of using such images without a word.
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning && e.Source == "LoadNifti")
            {
                lock (stderr)
                {
                    stderr.WriteLine($"LoadNifti: warning: {e.RawMessage}");
                }
            }
        };
        if (options.CacheDirectory is not null && PreparedCache.FittedSettings(study, options) is { } fitted)
        {
            stderr.WriteLine("LoadNifti: the loader's fit comes from the prepared cache (no image is read to fit)");
            return ml.Transforms.LoadNifti("Image", "Path", fitted);
        }
        return ml.Transforms.LoadNifti("Image", "Path", options);
    }

    /// <summary>The line that says how many files the fitted pipeline decoded and how many reads the cache served.</summary>
    public static string CacheLine(ITransformer fitted) =>
        ((IEnumerable<ITransformer>)fitted).OfType<NiftiLoaderTransformer>().FirstOrDefault()?.CacheStatistics is { } s
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LoadNifti: {s.Decodes} files decoded, {s.Hits} reads served from the cache")
            : "LoadNifti: no cache";

    /// <summary>A box "DxHxW" of three positive sizes, or null.</summary>
    public static int[]? ParseShape(string text)
    {
        string[] parts = text.Split('x');
        var dims = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0 ? d : 0).ToArray();
        return dims.Length == 3 && dims.All(d => d > 0) ? dims : null;
    }

    /// <summary>The rows of a study table or a BIDS root as they are (for prediction: no label needed).</summary>
    public static IDataView LoadRows(MLContext ml, string data, string? template, string suffix) =>
        Directory.Exists(data) ? BidsDataset.Load(ml, data, suffix) : StudyTable.Load(ml, data, template ?? DefaultTemplate);

    /// <summary>A BIDS root with its metadata joined; the summary's lines (tables read, rows matched, columns, warnings) to <paramref name="stderr"/>.</summary>
    private static IDataView LoadBids(MLContext ml, string root, string suffix, BidsDatasetOptions? options, TextWriter? stderr)
    {
        BidsDataset bids = BidsDataset.Read(root, suffix, options);
        foreach (string line in bids.Summary.Lines())
        {
            stderr?.WriteLine(line);
        }
        return bids.ToDataView(ml);
    }

    /// <summary>The rows and the name of the label column to train or analyse on.</summary>
    /// <exception cref="ArgumentException">The label column is not in the study (the message lists the columns).</exception>
    public static (IDataView Study, string LabelColumn) Load(MLContext ml, string data, string? template, string suffix, string label, bool classification,
        BidsDatasetOptions? bidsOptions = null, TextWriter? stderr = null)
    {
        if (!Directory.Exists(data) && File.Exists(data) && File.ReadLines(data).FirstOrDefault()?.Split('\t') is { } header && !header.Contains(label))
        {
            // Checked before loading: the table reader would first fail on typing a column it does not have.
            throw new ArgumentException($"--label: the study has no column '{label}' (columns: {string.Join(", ", header)})");
        }
        IDataView study = Directory.Exists(data)
            ? LoadBids(ml, data, suffix, bidsOptions, stderr)
            : StudyTable.Load(ml, data, template ?? DefaultTemplate, options: new StudyTableOptions { NumericColumns = classification ? [] : [label] });
        var column = study.Schema.GetColumnOrNull(label) ?? throw new ArgumentException($"--label: the study has no column '{label}' (columns: {string.Join(", ", study.Schema.Select(c => c.Name))})");
        if (classification)
        {
            // The class mapping belongs to the training data, not to a saved model: prediction inputs have no label.
            return (ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(study).Transform(study), "Label");
        }
        if (column.Type != NumberDataViewType.Single)
        {
            study = ml.Transforms.Conversion.ConvertType(label, label, DataKind.Single).Fit(study).Transform(study);
        }
        return (study, label);
    }
}
